package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three ActorSystems in one JVM form one cluster: A and B host media and gateways, C is a gateway only.
 * Sessions are reached through any gateway, only through sharding.
 */
class TwoNodeClusterTest {

  static TestNode a;
  static TestNode b;
  static TestNode gatewayOnly;

  @BeforeAll
  static void start() {
    a = TestNode.start();
    b = TestNode.start("pekko.cluster.seed-nodes = [\"" + a.address() + "\"]");
    gatewayOnly = TestNode.start("""
        pekko.cluster.seed-nodes = ["%s"]
        pekko.cluster.roles = ["gateway"]
        """.formatted(a.address()));
    a.awaitMembers(3);
    b.awaitMembers(3);
    gatewayOnly.awaitMembers(3);
  }

  @AfterAll
  static void stop() {
    gatewayOnly.close();
    b.close();
    a.close();
  }

  @Test
  void sessionCreatedThroughOneGatewayIsControlledThroughTheOther() {
    String id;
    try (ControlClient onA = ControlClient.connect(a.ws())) {
      id = onA.ok("session.create", Map.of("app", "x")).get("session_id").asText();
      onA.awaitEvent("app.started");
      assertEquals(a.address(), onA.ok("session.info", null).get("node").asText(), "the embedded default keeps it local");
    }
    try (ControlClient onB = ControlClient.connect(b.ws())) {
      JsonNode attached = ControlWebSocketEndToEndTest.awaitAttach(onB, id, 0);
      assertTrue(attached.get("replayed").asInt() >= 2, "app.started and session.orphaned replayed across nodes");
      assertEquals("app.started", onB.awaitEvent("app.started").get("event").asText());
      JsonNode info = onB.ok("session.info", null);
      assertEquals(id, info.get("session_id").asText());
      assertEquals(a.address(), info.get("node").asText());
      assertEquals("controlled", info.get("state").asText());

      // events raised on node A reach the controller on node B
      String secretUrl = Http.get(a.http() + "/api/v1/sessions/" + id).json().get("session_id").asText();
      assertEquals(id, secretUrl);
      onB.ok("session.destroy", null);
      assertEquals("session.destroy", onB.awaitEvent("app.terminated").get("data").get("reason").asText());
    }
    assertEquals(404, Http.get(a.http() + "/api/v1/sessions/" + id).status());
  }

  @Test
  void httpStartedSessionOnOneNodeIsDrivenFromAnother() {
    JsonNode created = Http.post(b.http() + "/api/v1/sessions", "{\"app\":\"remote\"}").json();
    String id = created.get("session_id").asText();
    assertTrue(created.get("media_session_access_url").asText().startsWith(b.http()));
    try (ControlClient onA = ControlClient.connect(a.ws())) {
      onA.ok("session.attach", Map.of("session_id", id));
      assertEquals(b.address(), onA.ok("session.info", null).get("node").asText());
      // a request to the access URL served by node B reaches the controller connected to node A
      var pending = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> Http.post(created.get("media_session_access_url").asText(), "cross"));
      JsonNode request = onA.awaitEvent("app.http_request").get("data");
      assertEquals("cross", request.get("content").asText());
      onA.ok("http.respond", Map.of("request_id", request.get("request_id").asText(), "status", 200, "body", "ok"));
      assertEquals("ok", pending.join().body());

      List<String> listed = Http.get(a.http() + "/api/v1/sessions").json().get("sessions").findValuesAsText("session_id");
      assertTrue(listed.contains(id), "node A's list includes node B's sessions");
    }
    // the controller's connection on node A closed: the session on node B notices through the remote watch
    try (ControlClient onB = ControlClient.connect(b.ws())) {
      ControlWebSocketEndToEndTest.awaitAttach(onB, id, 0);
      assertEquals("session.orphaned", onB.awaitEvent("session.orphaned").get("event").asText());
      onB.ok("session.destroy", null);
    }
  }

  @Test
  void aGatewayOnlyNodePlacesSessionsOnMediaNodes() {
    try (ControlClient c = ControlClient.connect(gatewayOnly.ws())) {
      for (int i = 0; i < 4; i++) {
        c.ok("session.create", null);
        String node = c.ok("session.info", null).get("node").asText();
        assertNotEquals(gatewayOnly.address(), node);
        assertTrue(node.equals(a.address()) || node.equals(b.address()), node);
        c.ok("session.destroy", null);
      }
    }
    JsonNode members = Http.get(gatewayOnly.http() + "/api/v1/cluster").json().get("members");
    assertEquals(3, members.size());
  }
}
