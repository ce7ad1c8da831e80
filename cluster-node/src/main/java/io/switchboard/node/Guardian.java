package io.switchboard.node;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The node's root actor: starts the node and, if that fails, takes the node down rather than run half-started. */
final class Guardian {

  private Guardian() {}

  static Behavior<Void> create() {
    return Behaviors.setup(ctx -> {
      Main.init(ctx.getSystem()).whenComplete((bindings, failure) -> {
        if (failure != null) {
          ctx.getSystem().log().error("Switchboard failed to start: {}", failure.toString());
          ctx.getSystem().terminate();
        }
      });
      return Behaviors.empty();
    });
  }
}
