package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real node, driven as a user would: the JDK's WebSocket and HTTP clients on loopback. */
class ControlWebSocketEndToEndTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.session.disconnect-timeout = 4s
        switchboard.session.http-response-timeout = 1500ms
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void createRepliesWithTheUrlsAndThenStartedArrivesWithSeqOne() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      JsonNode created = c.ok("session.create", Map.of("app", "tour", "custom_data", Map.of("caller", "alice")));
      String id = created.get("session_id").asText();
      assertTrue(created.get("media_session_access_url").asText().startsWith(node.http() + "/request/" + id + "/"));
      assertEquals(node.ws(), created.get("control_url").asText());

      JsonNode started = c.awaitEvent("app.started");
      assertEquals(1, started.get("seq").asLong());
      assertEquals(id, started.get("data").get("session_id").asText());
      assertEquals("tour", started.get("data").get("app").asText());
      assertEquals("alice", started.get("data").get("custom_data").get("caller").asText());

      JsonNode info = c.ok("session.info", null);
      assertEquals(id, info.get("session_id").asText());
      assertEquals("controlled", info.get("state").asText());
      assertEquals(0, info.get("endpoint_count").asInt());

      JsonNode list = c.ok("session.list", null);
      assertTrue(list.get("sessions").findValuesAsText("session_id").contains(id));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void oneConnectionControlsOneSessionAtATime() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      String id = c.ok("session.create", null).get("session_id").asText();
      assertEquals("SESSION_ALREADY_BOUND", c.errorCode("session.create", null));
      assertEquals("SESSION_ALREADY_BOUND", c.errorCode("session.attach", Map.of("session_id", id)));

      c.ok("session.destroy", null);
      assertEquals("app.terminating", c.awaitEvent("app.terminating").get("event").asText());
      JsonNode terminated = c.awaitEvent("app.terminated");
      assertEquals("session.destroy", terminated.get("data").get("reason").asText());
      assertEquals("NO_SESSION", c.errorCode("session.info", null));
      assertEquals(404, Http.get(node.http() + "/api/v1/sessions/" + id).status());

      // the same connection may start another session afterwards
      String second = c.ok("session.create", null).get("session_id").asText();
      assertFalse(second.equals(id));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSessionDeletedOverHttpUnbindsItsConnectionWhichMayCreateAndAttachAgain() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      String id = c.ok("session.create", null).get("session_id").asText();
      c.awaitEvent("app.started");

      assertEquals(200, Http.delete(node.http() + "/api/v1/sessions/" + id).status());
      JsonNode terminating = c.awaitEvent("app.terminating");
      assertEquals(id, terminating.get("data").get("session_id").asText());
      assertEquals("http.delete", terminating.get("data").get("reason").asText());
      assertEquals("http.delete", c.awaitEvent("app.terminated").get("data").get("reason").asText());

      // unbound, as after session.destroy: no SESSION_ALREADY_BOUND, no SESSION_NOT_FOUND
      assertEquals("NO_SESSION", c.errorCode("session.destroy", null));
      String second = c.ok("session.create", Map.of("app", "again")).get("session_id").asText();
      assertFalse(second.equals(id));
      JsonNode started = c.awaitEvent("app.started");
      assertEquals(second, started.get("data").get("session_id").asText());
      assertEquals(1, started.get("seq").asLong());
      assertEquals(second, c.ok("session.info", null).get("session_id").asText());

      // and once that one is deleted too, it may attach a session started over HTTP
      assertEquals(200, Http.delete(node.http() + "/api/v1/sessions/" + second).status());
      c.awaitEvent("app.terminated");
      String third = Http.post(node.http() + "/api/v1/sessions", "{}").json().get("session_id").asText();
      assertEquals(third, c.ok("session.attach", Map.of("session_id", third)).get("session_id").asText());
      assertEquals("controlled", c.ok("session.info", null).get("state").asText());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSessionEndedByItsEmptyTimeoutUnbindsItsConnection() {
    try (TestNode timing = TestNode.start("switchboard.session.empty-timeout = 1s");
         ControlClient c = ControlClient.connect(timing.ws())) {
      String id = c.ok("session.create", null).get("session_id").asText();
      c.awaitEvent("app.started");

      JsonNode timeout = c.awaitEvent("session.empty_timeout");
      assertEquals(id, timeout.get("data").get("session_id").asText());
      assertEquals(1, timeout.get("data").get("empty_timeout_secs").asLong());
      assertEquals("empty_timeout", c.awaitEvent("app.terminating").get("data").get("reason").asText());
      assertEquals("empty_timeout", c.awaitEvent("app.terminated").get("data").get("reason").asText());

      assertEquals("NO_SESSION", c.errorCode("session.info", null));
      String next = c.ok("session.create", null).get("session_id").asText();
      assertFalse(next.equals(id));
      assertEquals(next, c.awaitEvent("app.started").get("data").get("session_id").asText());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void accessUrlRequestsKeepASessionFromItsIdleTimeoutWhichThenUnbindsItsConnection() {
    try (TestNode timing = TestNode.start("""
            switchboard.session.idle-timeout = 1500ms
            switchboard.session.http-response-timeout = 50ms
            """);
         ControlClient c = ControlClient.connect(timing.ws())) {
      JsonNode created = c.ok("session.create", null);
      String id = created.get("session_id").asText();
      String accessUrl = created.get("media_session_access_url").asText();
      c.awaitEvent("app.started");

      // twice the idle timeout, with nothing but access-URL requests (the HTTP API's GET does not count)
      long until = System.currentTimeMillis() + 3000;
      long lastPoke = 0;
      while (System.currentTimeMillis() < until) {
        lastPoke = System.currentTimeMillis();
        assertEquals(202, Http.post(accessUrl, "still here").status());
        c.awaitEvent("app.http_request");
        TestNode.sleep(400);
      }
      assertEquals(200, Http.get(timing.http() + "/api/v1/sessions/" + id).status(), "requests to the access URL are activity");

      assertEquals(id, c.awaitEvent("session.idle_timeout").get("data").get("session_id").asText());
      long quietMs = System.currentTimeMillis() - lastPoke;
      assertTrue(quietMs >= 1450, "ended " + quietMs + " ms after the last request, before its idle timeout");
      assertEquals("idle_timeout", c.awaitEvent("app.terminated").get("data").get("reason").asText());
      String next = c.ok("session.create", null).get("session_id").asText();
      assertEquals(next, c.awaitEvent("app.started").get("data").get("session_id").asText());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void orphanedSessionIsReclaimedByAttachWithTheMissedEventsReplayed() {
    String id;
    String accessUrl;
    try (ControlClient first = ControlClient.connect(node.ws())) {
      JsonNode created = first.ok("session.create", null);
      id = created.get("session_id").asText();
      accessUrl = created.get("media_session_access_url").asText();
      first.awaitEvent("app.started");
    }
    // raised while nobody controls the session: kept for replay
    CompletableFuture<Http.Reply> pending = CompletableFuture.supplyAsync(() -> Http.post(accessUrl + "/status", "ping"));

    try (ControlClient second = ControlClient.connect(node.ws());
         ControlClient third = ControlClient.connect(node.ws())) {
      JsonNode attached = awaitAttach(second, id, 1);
      JsonNode request = second.awaitEvent("app.http_request");
      assertEquals("ping", request.get("data").get("content").asText());
      assertEquals("POST", request.get("data").get("method").asText());
      assertTrue(attached.get("replayed").asInt() >= 1);
      assertEquals(0, attached.get("missed").asInt());
      List<Long> seqs = new ArrayList<>();
      second.events.forEach(e -> seqs.add(e.get("seq").asLong()));
      seqs.add(request.get("seq").asLong());
      assertTrue(seqs.stream().allMatch(s -> s > 1), "nothing at or before last_seq is replayed: " + seqs);

      // the controller answers the HTTP request that was waiting
      second.ok("http.respond", Map.of("request_id", request.get("data").get("request_id").asText(), "status", 201,
          "headers", Map.of("X-Switchboard-Test", "yes", "Content-Type", "text/plain"), "body", "pong"));
      Http.Reply reply = pending.join();
      assertEquals(201, reply.status());
      assertEquals("pong", reply.body());
      assertEquals("yes", reply.raw().headers().firstValue("X-Switchboard-Test").orElse(""));

      assertEquals("SESSION_NOT_ORPHANED", third.errorCode("session.attach", Map.of("session_id", id)));
      second.ok("session.destroy", null);
    }
  }

  /** The session learns of the closed connection asynchronously; attach until it is orphaned. */
  static JsonNode awaitAttach(ControlClient client, String id, long lastSeq) {
    long deadline = System.currentTimeMillis() + 5000;
    while (true) {
      JsonNode reply = client.call("session.attach", Map.of("session_id", id, "last_seq", lastSeq));
      if (reply.has("result")) return reply.get("result");
      if (System.currentTimeMillis() > deadline || !reply.get("error").get("code").asText().equals("SESSION_NOT_ORPHANED")) {
        throw new AssertionError("attach failed: " + reply);
      }
      TestNode.sleep(50);
    }
  }

  @Test
  void orphanedSessionEndsAfterTheDisconnectTimeout() {
    String id;
    try (ControlClient c = ControlClient.connect(node.ws())) {
      id = c.ok("session.create", null).get("session_id").asText();
    }
    assertEquals(200, Http.get(node.http() + "/api/v1/sessions/" + id).status());
    long deadline = System.currentTimeMillis() + 8000;
    while (Http.get(node.http() + "/api/v1/sessions/" + id).status() == 200) {
      assertTrue(System.currentTimeMillis() < deadline, "session outlived the disconnect timeout");
      TestNode.sleep(200);
    }
    try (ControlClient late = ControlClient.connect(node.ws())) {
      assertEquals("SESSION_NOT_FOUND", late.errorCode("session.attach", Map.of("session_id", id)));
    }
  }

  @Test
  void httpStartedSessionRaisesStartedAndHttpRequestForItsController() {
    JsonNode created = Http.post(node.http() + "/api/v1/sessions", "{\"app\":\"web\",\"custom_data\":\"hello\"}").json();
    String id = created.get("session_id").asText();
    String accessUrl = created.get("media_session_access_url").asText();

    Http.Reply unanswered = Http.send("PUT", accessUrl + "/a?b=c", "{\"param1\":\"value1\"}",
        "Content-Type", "application/json", "X-Custom", "42");
    assertEquals(202, unanswered.status(), "the documented default reply when nobody answers");
    assertEquals(id, unanswered.json().get("session_id").asText());

    try (ControlClient c = ControlClient.connect(node.ws())) {
      c.ok("session.attach", Map.of("session_id", id, "last_seq", 0));
      JsonNode started = c.awaitEvent("app.started");
      assertEquals("hello", started.get("data").get("custom_data").asText());
      JsonNode request = c.awaitEvent("app.http_request").get("data");
      assertEquals("PUT", request.get("method").asText());
      assertEquals("/request/" + id + "/" + accessUrl.substring(accessUrl.lastIndexOf('/') + 1) + "/a", request.get("path").asText());
      assertEquals("{\"param1\":\"value1\"}", request.get("content").asText());
      assertEquals("42", request.get("headers").get("X-Custom").asText());
      assertEquals("application/json", request.get("headers").get("Content-Type").asText());

      assertEquals(200, Http.delete(node.http() + "/api/v1/sessions/" + id).status());
      assertEquals("http.delete", c.awaitEvent("app.terminating").get("data").get("reason").asText());
      c.awaitEvent("app.terminated");
    }
    assertEquals(404, Http.post(accessUrl, "late").status(), "a stale access URL is 404");
  }

  @Test
  void metricsExposeSessionsConnectionsCommandsAndEvents() {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      c.ok("session.create", null);
      c.awaitEvent("app.started");
      String metrics = Http.get(node.http() + "/metrics").body();
      for (String name : List.of("switchboard_sessions ", "switchboard_control_connections ",
          "switchboard_control_commands_total{method=\"session.create\",outcome=\"ok\"}",
          "switchboard_events_delivered_total ", "switchboard_events_dropped_total ")) {
        assertTrue(metrics.contains(name), name + " missing from\n" + metrics);
      }
      c.ok("session.destroy", null);
    }
    assertEquals(200, Http.get(node.http() + "/health").status());
    JsonNode ready = Http.get(node.http() + "/ready").json();
    assertTrue(ready.get("ready").asBoolean());
  }

  @Test
  void clusterEndpointShowsThisNodeWithBothRoles() {
    JsonNode cluster = Http.get(node.http() + "/api/v1/cluster").json();
    JsonNode self = cluster.get("members").get(0);
    assertEquals(node.address(), self.get("address").asText());
    assertEquals("Up", self.get("status").asText());
    assertEquals(List.of("gateway", "media"), List.of(self.get("roles").get(0).asText(), self.get("roles").get(1).asText()));
  }
}
