package io.switchboard.media.session;

import io.switchboard.media.cluster.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Answers for this node's share of {@code session.list}. One per media node, registered with the
 * cluster receptionist under {@link #KEY}; a gateway asks every registered listing and merges.
 */
public final class SessionListing {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "session-listing");

  public sealed interface Command extends CborSerializable {}

  /** List this node's sessions visible to a key limited to {@code keyApp} (null: all). */
  public record ListSessions(String keyApp, ActorRef<Listed> replyTo) implements Command {}

  public record Listed(List<SessionSummary> sessions) implements CborSerializable {
    public Listed {
      sessions = List.copyOf(sessions);
    }
  }

  public static Behavior<Command> create() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      SessionDirectory directory = SessionDirectory.get(ctx.getSystem());
      return Behaviors.receive(Command.class)
          .onMessage(ListSessions.class, m -> onList(directory, m))
          .build();
    });
  }

  private static Behavior<Command> onList(SessionDirectory directory, ListSessions cmd) {
    cmd.replyTo().tell(new Listed(visible(directory, cmd.keyApp())));
    return Behaviors.same();
  }

  /** The node's sessions a key limited to {@code keyApp} may see (null: all). */
  public static List<SessionSummary> visible(SessionDirectory directory, String keyApp) {
    return directory.snapshot().stream().filter(s -> keyApp == null || keyApp.equals(s.app())).toList();
  }
}
