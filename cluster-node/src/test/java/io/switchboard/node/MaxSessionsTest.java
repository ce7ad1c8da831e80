package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node at switchboard.session.max-sessions refuses new sessions on both surfaces and changes nothing else. */
class MaxSessionsTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("switchboard.session.max-sessions = 2");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aFullNodeAnswersMaxSessionsReachedAndTheExistingSessionsKeepWorking() {
    try (ControlClient controller = ControlClient.connect(node.ws());
         ControlClient refused = ControlClient.connect(node.ws())) {
      String accessUrl = controller.ok("session.create", null).get("media_session_access_url").asText();
      controller.awaitEvent("app.started");
      JsonNode overHttp = Http.post(node.http() + "/api/v1/sessions", "{\"app\":\"web\"}").json();
      String orphan = overHttp.get("session_id").asText();

      JsonNode reply = refused.call("session.create", null);
      assertEquals("MAX_SESSIONS_REACHED", reply.get("error").get("code").asText());
      assertTrue(reply.get("error").get("message").asText().contains("2"), "the message names the limit: " + reply);
      Http.Reply httpRefusal = Http.post(node.http() + "/api/v1/sessions", "{}");
      assertEquals(503, httpRefusal.status());
      assertEquals("MAX_SESSIONS_REACHED", httpRefusal.json().get("error").get("code").asText());

      // nothing else changed: two sessions, the refused connection is unbound and usable
      assertEquals(2, Http.get(node.http() + "/api/v1/sessions").json().get("sessions").size());
      assertTrue(Http.get(node.http() + "/metrics").body().contains("switchboard_sessions 2"));
      assertEquals("NO_SESSION", refused.errorCode("session.info", null));
      assertEquals(2, refused.ok("session.list", null).get("sessions").size());
      assertTrue(refused.quietFor(200), "a refused create raises no event");

      // the existing sessions still work: the controlled one answers its controller and its access URL,
      // the one started over HTTP can still be attached
      assertEquals("controlled", controller.ok("session.info", null).get("state").asText());
      CompletableFuture<Http.Reply> poked = CompletableFuture.supplyAsync(() -> Http.post(accessUrl, "hi"));
      JsonNode request = controller.awaitEvent("app.http_request").get("data");
      assertEquals("hi", request.get("content").asText());
      controller.ok("http.respond", Map.of("request_id", request.get("request_id").asText(), "status", 200, "body", "ho"));
      assertEquals("ho", poked.join().body());
      assertEquals(orphan, refused.ok("session.attach", Map.of("session_id", orphan)).get("session_id").asText());
      assertEquals("web", refused.ok("session.info", null).get("app").asText());

      // the limit counts live sessions: once one ends, a new one is admitted
      refused.ok("session.destroy", null);
      assertEquals(404, Http.get(node.http() + "/api/v1/sessions/" + orphan).status());
      createWithin(refused, 2000);
      refused.ok("session.destroy", null);
      controller.ok("session.destroy", null);
    }
  }

  /**
   * session.create until it succeeds: a session leaves the node's count as its actor stops, a moment after
   * its last reply, so a create right behind a destroy may still find the node full.
   */
  private static void createWithin(ControlClient client, long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (true) {
      JsonNode reply = client.call("session.create", null);
      if (reply.has("result")) return;
      assertEquals("MAX_SESSIONS_REACHED", reply.get("error").get("code").asText());
      assertTrue(System.currentTimeMillis() < deadline, "the ended session still counts against the limit");
      TestNode.sleep(20);
    }
  }
}
