package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/**
 * On shutdown a node refuses new sessions, lets existing ones work through the drain time, then ends them
 * and their recordings, saying why.
 */
class GracefulShutdownTest {

  @Test
  void drainingNodeRefusesNewSessionsAndEndsExistingOnesAfterTheDrainTime() throws Exception {
    Path recordings = Files.createTempDirectory("switchboard-drain");
    TestNode node = TestNode.start("""
        switchboard.shutdown.drain-time = 3s
        switchboard.recording.dir = "%s"
        """.formatted(recordings));
    try (ControlClient existing = ControlClient.connect(node.ws());
         ControlClient newcomer = ControlClient.connect(node.ws())) {
      existing.ok("session.create", null);
      existing.awaitEvent("app.started");
      // a session recording that hears a tone: it runs through the drain and must end with the session
      existing.ok("endpoint.create_tone", Map.of("tone", "sine", "frequency", 1000));
      String recording = existing.ok("recording.start", Map.of("file_path", "drain.wav", "format", "wav"))
          .get("recording_id").asText();

      CoordinatedShutdown.get(node.system).run(CoordinatedShutdown.unknownReason());
      long deadline = System.currentTimeMillis() + 3000;
      String code;
      do {
        code = newcomer.call("session.create", null).path("error").path("code").asText();
      } while (!code.equals("SHUTTING_DOWN") && System.currentTimeMillis() < deadline);
      assertEquals("SHUTTING_DOWN", code);
      assertEquals(503, Http.get(node.http() + "/ready").status());
      assertEquals(503, Http.post(node.http() + "/api/v1/sessions", "{}").status());

      // the existing session still works during the drain
      assertEquals("controlled", existing.ok("session.info", null).get("state").asText());
      assertEquals("SHUTTING_DOWN", newcomer.errorCode("session.create", Map.of()));

      // after the drain time sharding stops it, and the controller is told why, for the recording too
      JsonNode stopped = existing.awaitEvent("recording.stopped").get("data");
      assertEquals(recording, stopped.get("recording_id").asText());
      assertEquals("node_shutdown", stopped.get("reason").asText());
      assertEquals(0, stopped.get("dropped_packets").asLong());
      assertTrue(stopped.get("duration_ms").asLong() >= 2000, "it ran through the drain: " + stopped);
      assertEquals("node_shutdown", existing.awaitEvent("app.terminated").get("data").get("reason").asText());
      double seconds = Double.parseDouble(RecordingTest.run("sox", "--i", "-D", recordings.resolve("drain.wav").toString()).trim());
      assertEquals(stopped.get("duration_ms").asLong() / 1000.0, seconds, 0.05, "the WAV is final: its header has the real length");
    } finally {
      node.close();
    }
    assertTrue(node.system.whenTerminated().isCompleted());
  }
}
