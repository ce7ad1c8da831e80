package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.switchboard.control.http.ControlServer;
import io.switchboard.control.http.ControlSettings;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With API keys configured, nothing is done without one, and a key limited to an app stays inside it. */
class ApiKeysTest {

  static TestNode node;
  static final String ADMIN = "Bearer admin-key";
  static final String SALES = "Bearer sales-key";

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.security.api-keys = [ { key = "admin-key" }, { key = "sales-key", app = "sales" } ]
        switchboard.session.disconnect-timeout = 30s
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void requestsWithoutAValidKeyGet401AndChangeNothing() {
    int before = Http.get(node.http() + "/api/v1/sessions", "Authorization", ADMIN).json().get("sessions").size();
    assertEquals(401, Http.post(node.http() + "/api/v1/sessions", "{}").status());
    assertEquals(401, Http.post(node.http() + "/api/v1/sessions", "{}", "Authorization", "Bearer wrong").status());
    assertEquals(401, Http.get(node.http() + "/api/v1/sessions").status());
    assertEquals(401, Http.get(node.http() + "/api/v1/cluster").status());
    var failure = assertThrows(CompletionException.class, () -> ControlClient.connect(node.ws()));
    var handshake = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
    assertEquals(401, handshake.getResponse().statusCode());
    assertEquals(before, Http.get(node.http() + "/api/v1/sessions", "Authorization", ADMIN).json().get("sessions").size());
    assertEquals(200, Http.get(node.http() + "/health").status(), "health needs no key");
  }

  @Test
  void keyInHeaderOrQueryParameterIsAccepted() {
    try (ControlClient header = ControlClient.connect(node.ws(), Map.of("Authorization", ADMIN));
         ControlClient query = ControlClient.connect(node.ws() + "?access_token=admin-key")) {
      header.ok("session.list", null);
      query.ok("session.list", null);
    }
  }

  @Test
  void aKeyLimitedToAnAppOnlySeesAndCreatesThatApp() {
    JsonNode support = Http.post(node.http() + "/api/v1/sessions", "{\"app\":\"support\"}", "Authorization", ADMIN).json();
    String supportId = support.get("session_id").asText();
    assertEquals(403, Http.post(node.http() + "/api/v1/sessions", "{\"app\":\"support\"}", "Authorization", SALES).status());
    JsonNode sales = Http.post(node.http() + "/api/v1/sessions", "{}", "Authorization", SALES).json();
    String salesId = sales.get("session_id").asText();

    JsonNode listed = Http.get(node.http() + "/api/v1/sessions", "Authorization", SALES).json().get("sessions");
    assertTrue(listed.findValuesAsText("session_id").contains(salesId));
    assertTrue(!listed.findValuesAsText("session_id").contains(supportId), "another app's session is invisible");
    assertTrue(listed.findValuesAsText("app").stream().allMatch("sales"::equals), listed.toString());
    assertEquals(404, Http.get(node.http() + "/api/v1/sessions/" + supportId, "Authorization", SALES).status());
    assertEquals(404, Http.delete(node.http() + "/api/v1/sessions/" + supportId, "Authorization", SALES).status());

    try (ControlClient salesClient = ControlClient.connect(node.ws(), Map.of("Authorization", SALES))) {
      assertEquals("SESSION_NOT_FOUND", salesClient.errorCode("session.attach", Map.of("session_id", supportId)),
          "knowing the id of an orphaned session of another app grants nothing");
      assertEquals("UNAUTHORIZED", salesClient.errorCode("session.create", Map.of("app", "support")));
      salesClient.ok("session.attach", Map.of("session_id", salesId));
      salesClient.ok("session.destroy", null);
    }
    // the access URL is its own capability: no key needed
    assertEquals(202, Http.post(support.get("media_session_access_url").asText(), "hi").status());
    assertEquals(200, Http.delete(node.http() + "/api/v1/sessions/" + supportId, "Authorization", ADMIN).status());
  }

  @Test
  void aNonLoopbackAddressWithoutKeysIsRefusedUnlessAllowedInsecure() {
    var base = ConfigFactory.load();
    var exposed = ConfigFactory.parseString("switchboard.http.host = \"0.0.0.0\"").withFallback(base);
    assertThrows(IllegalStateException.class, () -> ControlServer.refuseInsecureExposure(ControlSettings.fromConfig(exposed)));
    ControlServer.refuseInsecureExposure(ControlSettings.fromConfig(
        ConfigFactory.parseString("switchboard.security.allow-insecure = true").withFallback(exposed)));
    ControlServer.refuseInsecureExposure(ControlSettings.fromConfig(
        ConfigFactory.parseString("switchboard.security.api-key = k").withFallback(exposed)));
    ControlServer.refuseInsecureExposure(ControlSettings.fromConfig(base));
  }
}
