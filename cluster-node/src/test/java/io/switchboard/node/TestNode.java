package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.control.http.ControlServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** A real Switchboard node in this JVM, started through {@link Main#init} on free ports. */
final class TestNode implements AutoCloseable {

  final ActorSystem<Void> system;
  final ControlServer.Bindings bindings;

  private TestNode(ActorSystem<Void> system, ControlServer.Bindings bindings) {
    this.system = system;
    this.bindings = bindings;
  }

  /** A node with {@code overrides} (HOCON) on top of the shipped configuration. */
  static TestNode start(String overrides) {
    Config config = NodeConfig.withDerivedSettings(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString("""
            pekko.remote.artery.canonical.port = 0
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.loglevel = WARNING
            switchboard.http.port = 0
            switchboard.shutdown.drain-time = 0s
            """))
        .withFallback(ConfigFactory.load())
        .resolve());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchboard", config);
    try {
      var bindings = Main.init(system).toCompletableFuture().get(20, TimeUnit.SECONDS).orElse(null);
      TestNode node = new TestNode(system, bindings);
      node.awaitUp();
      return node;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node did not start", e);
    }
  }

  static TestNode start() {
    return start("");
  }

  String address() {
    return Cluster.get(system).selfMember().address().toString();
  }

  int httpPort() {
    return bindings.httpPort();
  }

  String http() {
    return "http://127.0.0.1:" + httpPort();
  }

  String ws() {
    return "ws://127.0.0.1:" + httpPort() + "/control";
  }

  void awaitUp() {
    awaitMembers(1);
  }

  void awaitMembers(int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Cluster cluster = Cluster.get(system);
      long up = 0;
      for (var m : cluster.state().getMembers()) if (m.status() == MemberStatus.up()) up++;
      if (cluster.selfMember().status() == MemberStatus.up() && up >= count) return;
      sleep(50);
    }
    throw new AssertionError("cluster of " + count + " did not come up");
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort: the JVM ends with the test run anyway
    }
  }
}
