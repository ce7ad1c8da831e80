package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/** On shutdown a node refuses new sessions, lets existing ones work through the drain time, then ends them. */
class GracefulShutdownTest {

  @Test
  void drainingNodeRefusesNewSessionsAndEndsExistingOnesAfterTheDrainTime() {
    TestNode node = TestNode.start("switchboard.shutdown.drain-time = 3s");
    try (ControlClient existing = ControlClient.connect(node.ws());
         ControlClient newcomer = ControlClient.connect(node.ws())) {
      existing.ok("session.create", null);
      existing.awaitEvent("app.started");

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

      // after the drain time sharding stops it, and the controller is told why
      assertEquals("node_shutdown", existing.awaitEvent("app.terminated").get("data").get("reason").asText());
    } finally {
      node.close();
    }
    assertTrue(node.system.whenTerminated().isCompleted());
  }
}
