package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input on every surface gets a clear error, leaves the connection usable and disturbs no session. */
class BadInputTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.control.max-message-size = 1KiB
        switchboard.http.max-body-size = 2KiB
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode raw(ControlClient c, String text) {
    c.sendRaw(text);
    JsonNode frame = c.next(10);
    assertTrue(frame.has("error"), "expected an error for " + text + ", got " + frame);
    return frame;
  }

  private static String code(JsonNode frame) {
    return frame.get("error").get("code").asText();
  }

  @Test
  void malformedRequestsGetErrorsAndTheConnectionStaysUsable() {
    try (ControlClient bystander = ControlClient.connect(node.ws());
         ControlClient c = ControlClient.connect(node.ws())) {
      String other = bystander.ok("session.create", null).get("session_id").asText();
      bystander.awaitEvent("app.started");
      String mine = c.ok("session.create", null).get("session_id").asText();
      c.awaitEvent("app.started");

      JsonNode parse = raw(c, "{not json");
      assertEquals("PARSE_ERROR", code(parse));
      assertTrue(parse.get("id").isNull());
      assertEquals("INVALID_REQUEST", code(raw(c, "[1,2,3]")));
      assertEquals("INVALID_REQUEST", code(raw(c, "{\"id\":1}")));
      assertEquals("INVALID_REQUEST", code(raw(c, "{\"id\":[1],\"method\":\"session.info\"}")));
      JsonNode unknown = raw(c, "{\"id\":\"u\",\"method\":\"session.explode\"}");
      assertEquals("UNKNOWN_METHOD", code(unknown));
      assertEquals("u", unknown.get("id").asText());
      assertEquals("INVALID_PARAMS", code(raw(c, "{\"id\":2,\"method\":\"session.info\",\"params\":\"x\"}")));
      assertEquals("INVALID_PARAMS", c.errorCode("http.respond", Map.of("request_id", 5, "status", 200)));
      assertEquals("INVALID_PARAMS", c.errorCode("http.respond", Map.of("request_id", "r", "status", 99)));
      assertEquals("INVALID_PARAMS", c.errorCode("http.respond", Map.of("request_id", "r", "status", 200, "headers", Map.of("a", 1))));
      assertEquals("INVALID_PARAMS", c.errorCode("http.respond", Map.of("request_id", "nope", "status", 200)));

      JsonNode big = raw(c, "{\"id\":3,\"method\":\"session.info\",\"params\":{\"pad\":\"" + "x".repeat(2000) + "\"}}");
      assertEquals("INVALID_REQUEST", code(big));
      assertTrue(big.get("error").get("message").asText().contains("max-message-size"));
      c.socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
      assertEquals("INVALID_REQUEST", code(c.next(10)));

      // nothing was disturbed: both sessions are alive and controlled, the connection still works
      assertEquals(mine, c.ok("session.info", null).get("session_id").asText());
      assertEquals("controlled", bystander.ok("session.info", null).get("state").asText());
      assertEquals(other, bystander.ok("session.info", null).get("session_id").asText());
      assertTrue(bystander.quietFor(200), "the bystander saw no events from the bad input");
      c.ok("session.destroy", null);
      bystander.ok("session.destroy", null);
    }
  }

  @Test
  void unknownMethodNamesNeverBecomeMetricLabels() {
    String bogus = "bogus.m" + System.nanoTime();
    String unknownSeries = "switchboard_control_commands_total{method=\"unknown\",outcome=\"UNKNOWN_METHOD\"}";
    double before = sample(Http.get(node.http() + "/metrics").body(), unknownSeries);
    try (ControlClient unbound = ControlClient.connect(node.ws());
         ControlClient bound = ControlClient.connect(node.ws())) {
      bound.ok("session.create", null);
      for (int i = 0; i < 5; i++) {
        assertEquals("UNKNOWN_METHOD", unbound.errorCode(bogus + ".unbound" + i, null));
        assertEquals("UNKNOWN_METHOD", bound.errorCode(bogus + ".bound" + i, null));
      }
      // nor do paths: HTTP requests are counted by route, never by the path asked for
      assertEquals(404, Http.get(node.http() + "/api/v1/sessions/" + bogus).status());
      assertEquals(404, Http.post(node.http() + "/request/" + bogus + "/" + bogus, "x").status());
      assertEquals(404, Http.get(node.http() + "/" + bogus).status());
      String metrics = Http.get(node.http() + "/metrics").body();
      assertFalse(metrics.contains(bogus), "a client's method name or path became a label:\n" + metrics);
      assertEquals(before + 10, sample(metrics, unknownSeries), "the unknown methods are counted under one label");
      // known methods keep their own label, whatever their outcome
      assertEquals("NO_SESSION", unbound.errorCode("session.info", null));
      assertTrue(Http.get(node.http() + "/metrics").body()
          .contains("switchboard_control_commands_total{method=\"session.info\",outcome=\"NO_SESSION\"}"));
      bound.ok("session.destroy", null);
    }
  }

  /** The value of one series in Prometheus text, 0 when it is absent. */
  private static double sample(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
    }
    return 0;
  }

  @Test
  void commandsForMissingSessionsAreRefusedClearly() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      assertEquals("NO_SESSION", c.errorCode("session.info", null));
      assertEquals("NO_SESSION", c.errorCode("session.destroy", null));
      assertEquals("NO_SESSION", c.errorCode("http.respond", Map.of("request_id", "r", "status", 200)));
      assertEquals("INVALID_PARAMS", c.errorCode("session.attach", Map.of()));
      assertEquals("INVALID_PARAMS", c.errorCode("session.attach", Map.of("session_id", 42)));
      assertEquals("INVALID_PARAMS", c.errorCode("session.attach", Map.of("session_id", "x", "last_seq", -1)));
      assertEquals("INVALID_PARAMS", c.errorCode("session.attach", Map.of("session_id", "x", "last_seq", "1")));
      assertEquals("SESSION_NOT_FOUND", c.errorCode("session.attach", Map.of("session_id", "garbage")));
      String nodeKey = c.ok("session.create", null).get("session_id").asText().split("-")[0];
      c.ok("session.destroy", null);
      assertEquals("SESSION_NOT_FOUND", c.errorCode("session.attach",
          Map.of("session_id", nodeKey + "-00000000-0000-4000-8000-000000000000")));
      assertEquals("SESSION_NOT_FOUND", c.errorCode("session.attach",
          Map.of("session_id", "zzzz-00000000-0000-4000-8000-000000000000")), "a node key of no member");
      assertEquals("INVALID_PARAMS", c.errorCode("session.create", Map.of("app", 7)));
      // after all that the connection can still create a session
      c.ok("session.create", null);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void httpApiRefusesBadInputWithJsonErrors() {
    int before = Http.get(node.http() + "/api/v1/sessions").json().get("sessions").size();
    Http.Reply notJson = Http.post(node.http() + "/api/v1/sessions", "{oops");
    assertEquals(400, notJson.status());
    assertEquals("PARSE_ERROR", notJson.json().get("error").get("code").asText());
    assertEquals(400, Http.post(node.http() + "/api/v1/sessions", "[1]").status());
    assertEquals("INVALID_PARAMS", Http.post(node.http() + "/api/v1/sessions", "{\"app\":1}").json().get("error").get("code").asText());
    assertEquals(404, Http.get(node.http() + "/api/v1/sessions/garbage").status());
    assertEquals(404, Http.delete(node.http() + "/api/v1/sessions/abc-00000000-0000-4000-8000-000000000000").status());
    assertEquals(before, Http.get(node.http() + "/api/v1/sessions").json().get("sessions").size(), "no session was made");
  }

  @Test
  void wrongAccessSecretsAre404AndTouchNothing() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      JsonNode created = c.ok("session.create", null);
      c.awaitEvent("app.started");
      String id = created.get("session_id").asText();
      String url = created.get("media_session_access_url").asText();
      String secret = url.substring(url.lastIndexOf('/') + 1);
      String flipped = (secret.charAt(0) == 'a' ? "b" : "a") + secret.substring(1);

      assertEquals(404, Http.post(node.http() + "/request/" + id + "/" + flipped, "x").status());
      assertEquals(404, Http.post(node.http() + "/request/" + id, "x").status());
      assertEquals(404, Http.post(node.http() + "/request/nosuch-session/" + secret, "x").status());
      assertTrue(c.quietFor(300), "no app.http_request for a wrong secret");

      assertEquals(413, Http.post(url, "y".repeat(4096)).status(), "bodies over max-body-size are refused");
      assertTrue(c.quietFor(200));
      c.ok("session.destroy", null);
    }
  }
}
