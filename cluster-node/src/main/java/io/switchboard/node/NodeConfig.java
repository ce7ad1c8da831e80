package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Loads a node's configuration: -D system properties, then CONFIG_FORCE_ environment variables, then
 * application.conf (or the file named by -Dconfig.file), then the modules' reference.conf.
 */
public final class NodeConfig {

  private NodeConfig() {}

  public static Config load() {
    return withDerivedSettings(ConfigFactory.load(
        ConfigFactory.systemEnvironmentOverrides().withFallback(ConfigFactory.defaultApplication())));
  }

  /**
   * Settings that follow from others: the shutdown phase that drains sessions must outlast the drain
   * time, or CoordinatedShutdown would cut the drain short.
   */
  public static Config withDerivedSettings(Config config) {
    Duration drain = config.getDuration("switchboard.shutdown.drain-time");
    return ConfigFactory.parseString(
            "pekko.coordinated-shutdown.phases.before-service-unbind.timeout = " + (drain.toMillis() + 10_000) + "ms")
        .withFallback(config);
  }
}
