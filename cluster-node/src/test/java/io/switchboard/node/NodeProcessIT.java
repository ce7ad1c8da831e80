package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped jar as an operator runs it: {@code java -jar switchboard-node.jar} in a process of its own,
 * configured only through CONFIG_FORCE_ environment variables, stopped with SIGTERM. Runs in the
 * integration-test phase (maven-failsafe-plugin), after the shade plugin has built the jar.
 */
class NodeProcessIT {

  private static final long DRAIN_MS = 3000;

  private Process node;
  private Path workDir;

  @AfterEach
  void cleanUp() throws IOException {
    if (node != null && node.isAlive()) node.destroyForcibly();
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void environmentOverridesConfigureTheJarAndSigtermDrainsSessionsThenExits() throws Exception {
    int port = freePort();
    node = startJar(Map.of(
        "CONFIG_FORCE_switchboard_http_port", String.valueOf(port),
        // a dash is written "__": without this override the drain would take the default 30 s
        "CONFIG_FORCE_switchboard_shutdown_drain__time", DRAIN_MS + "ms",
        "CONFIG_FORCE_pekko_remote_artery_canonical_port", "0"));
    String http = "http://127.0.0.1:" + port;
    awaitReady(http);

    JsonNode created = Http.post(http + "/api/v1/sessions", "{\"app\":\"it\"}").json();
    String id = created.get("session_id").asText();
    assertEquals("ws://127.0.0.1:" + port + "/control", created.get("control_url").asText(), "URLs name the overridden port");

    try (ControlClient controller = ControlClient.connect("ws://127.0.0.1:" + port + "/control");
         ControlClient newcomer = ControlClient.connect("ws://127.0.0.1:" + port + "/control")) {
      assertEquals(id, controller.ok("session.attach", Map.of("session_id", id)).get("session_id").asText());

      long sigterm = System.nanoTime();
      node.destroy(); // SIGTERM on Linux

      // draining: not ready, no new sessions on either surface, the existing session still works
      Http.Reply ready = awaitStatus(http + "/ready", 503);
      assertTrue(ready.json().get("draining").asBoolean(), ready.body());
      Http.Reply refused = Http.post(http + "/api/v1/sessions", "{}");
      assertEquals(503, refused.status());
      assertEquals("SHUTTING_DOWN", refused.json().get("error").get("code").asText());
      assertEquals("SHUTTING_DOWN", newcomer.errorCode("session.create", null));
      assertEquals("controlled", controller.ok("session.info", null).get("state").asText());
      assertTrue(node.isAlive(), "the node runs on through the drain");

      // after the drain time the session is ended and its controller told why
      JsonNode terminated = controller.awaitEvent("app.terminated");
      long endedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
      assertEquals("node_shutdown", terminated.get("data").get("reason").asText());
      assertTrue(endedAfterMs >= DRAIN_MS - 200, "the session was given the drain time, ended after " + endedAfterMs + " ms");
    }

    assertTrue(node.waitFor(15, TimeUnit.SECONDS), "the node did not exit after its drain\n" + log());
    // a JVM ended by SIGTERM exits with 128 + 15 once its shutdown hooks (the drain) have run
    assertEquals(143, node.exitValue(), log());
    assertFalse(log().contains("ERROR"), "the shutdown logged errors:\n" + log());
  }

  private Process startJar(Map<String, String> overrides) throws IOException {
    Path jar = Path.of(System.getProperty("switchboard.node.jar", "target/switchboard-node.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn package first");
    workDir = Files.createTempDirectory("switchboard-it");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString())
        .directory(workDir.toFile()) // recordings/ and media/ are relative to it
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("node.log").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("SWITCHBOARD_") || k.startsWith("CONFIG_FORCE_"));
    env.putAll(overrides);
    return builder.start();
  }

  private void awaitReady(String http) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      assertTrue(node.isAlive(), "the node exited at start\n" + log());
      try {
        if (Http.CLIENT.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http + "/ready")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // the JVM is still starting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      TestNode.sleep(100);
    }
    throw new AssertionError("GET /ready never answered 200\n" + log());
  }

  private static Http.Reply awaitStatus(String url, int status) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    Http.Reply reply;
    do {
      reply = Http.get(url);
      if (reply.status() == status) return reply;
      TestNode.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(url + " answered " + reply.status() + ", not " + status + ": " + reply.body());
  }

  private String log() {
    try {
      List<String> lines = Files.readAllLines(workDir.resolve("node.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
