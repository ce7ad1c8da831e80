package io.switchboard.node;

import com.typesafe.config.Config;
import io.switchboard.control.http.ControlServer;
import io.switchboard.control.http.ControlSettings;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.transport.MediaReactor;
import io.switchboard.media.session.SessionListing;
import io.switchboard.media.session.SessionSettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Starts a Switchboard node: {@code java -jar switchboard-node.jar}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    preferCommonPool();
    Config config = NodeConfig.load();
    try {
      ControlServer.refuseInsecureExposure(ControlSettings.fromConfig(config));
    } catch (IllegalStateException e) {
      System.err.println("switchboard: " + e.getMessage());
      System.exit(2);
    }
    ActorSystem.create(Guardian.create(), "switchboard", config);
  }

  /**
   * Pekko hands Java callers CompletionStages whose callbacks run "async" on the JDK's default
   * executor; with fewer than 3 cores that executor starts a new thread per callback, which cost 60%
   * of session throughput on 2 cores. A common pool of at least two threads avoids it. Must run
   * before CompletableFuture is first loaded; an explicit -D setting wins.
   */
  static void preferCommonPool() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() < 3) {
      System.setProperty(key, "2");
    }
  }

  /**
   * Everything a node runs, by role: sharding for sessions (hosting them on media nodes, proxying on
   * the others), the session listing, and the HTTP/WebSocket gateway. Tests start nodes through here too.
   *
   * @return the gateway's bindings, empty on a node without the gateway role
   */
  public static CompletionStage<Optional<ControlServer.Bindings>> init(ActorSystem<?> system) {
    Config config = system.settings().config();
    Cluster cluster = Cluster.get(system);
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    CallSession.init(system, SessionSettings.fromConfig(config));
    CompletionStage<Long> warm = CompletableFuture.completedFuture(0L);
    if (cluster.selfMember().hasRole(CallSession.ROLE)) {
      try {
        warm = MediaReactor.get(system).warmedUp(); // now, not at the first call: a media setting it refuses stops the node here
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      system.systemActorOf(SessionListing.create(), "session-listing", Props.empty());
    }
    if (!cluster.selfMember().hasRole("gateway")) return CompletableFuture.completedFuture(Optional.empty());
    // the gateway opens once the media path is compiled: its first calls meet a node at full speed
    return warm.thenComposeAsync(v -> ControlServer.start(system, ControlSettings.fromConfig(config)), system.executionContext())
        .thenApply(Optional::of);
  }
}
