package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  @AfterEach
  void clear() {
    System.clearProperty("switchboard.http.port");
    System.clearProperty("switchboard.shutdown.drain-time");
    ConfigFactory.invalidateCaches();
  }

  @Test
  void shippedDefaultsAreTheDocumentedOnes() {
    Config c = NodeConfig.load();
    assertEquals("127.0.0.1", c.getString("switchboard.http.host"));
    assertEquals(8080, c.getInt("switchboard.http.port"));
    assertEquals(Duration.ofSeconds(30), c.getDuration("switchboard.session.disconnect-timeout"));
    assertEquals(Duration.ZERO, c.getDuration("switchboard.session.idle-timeout"));
    assertEquals(Duration.ZERO, c.getDuration("switchboard.session.empty-timeout"));
    assertEquals(java.util.List.of("gateway", "media"), c.getStringList("pekko.cluster.roles"));
    assertEquals("cluster", c.getString("pekko.actor.provider"));
  }

  @Test
  void systemPropertiesOverrideAndTheDrainPhaseFollowsTheDrainTime() {
    System.setProperty("switchboard.http.port", "9191");
    System.setProperty("switchboard.shutdown.drain-time", "50s");
    ConfigFactory.invalidateCaches();
    Config c = NodeConfig.load();
    assertEquals(9191, c.getInt("switchboard.http.port"));
    assertEquals(Duration.ofSeconds(60), c.getDuration("pekko.coordinated-shutdown.phases.before-service-unbind.timeout"));
  }
}
