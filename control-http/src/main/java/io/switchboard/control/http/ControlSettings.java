package io.switchboard.control.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code switchboard.http.*}, {@code switchboard.control.*} and {@code switchboard.security.*}, parsed once.
 *
 * @param publicUrl base of the URLs handed to clients; empty means {@code http://host:port}
 * @param maxMessageSize largest control message accepted, in characters
 */
public record ControlSettings(
    String host,
    int port,
    String publicUrl,
    Tls tls,
    int maxMessageSize,
    int maxBodySize,
    int eventQueue,
    int criticalQueue,
    Duration askTimeout,
    Duration httpResponseTimeout,
    List<ApiKeys.Key> apiKeys,
    boolean allowInsecure,
    Duration drainTime) {

  /** HTTPS for the API and WebSocket on its own port, with a PKCS#12 key store. */
  public record Tls(boolean enabled, int port, String publicUrl, String keystorePath, String keystorePassword) {}

  public static ControlSettings fromConfig(Config root) {
    Config http = root.getConfig("switchboard.http");
    Config control = root.getConfig("switchboard.control");
    Config security = root.getConfig("switchboard.security");
    Config tls = http.getConfig("tls");
    List<ApiKeys.Key> keys = new ArrayList<>();
    for (Config k : security.getConfigList("api-keys")) {
      keys.add(new ApiKeys.Key(k.getString("key"), k.hasPath("app") ? k.getString("app") : null));
    }
    String single = security.getString("api-key");
    if (!single.isEmpty()) keys.add(new ApiKeys.Key(single, null));
    return new ControlSettings(
        http.getString("host"),
        http.getInt("port"),
        http.getString("public-url"),
        new Tls(tls.getBoolean("enabled"), tls.getInt("port"), tls.getString("public-url"),
            tls.getString("keystore-path"), tls.getString("keystore-password")),
        (int) control.getMemorySize("max-message-size").toBytes(),
        (int) http.getMemorySize("max-body-size").toBytes(),
        control.getInt("event-queue-size"),
        control.getInt("critical-event-queue-size"),
        control.getDuration("ask-timeout"),
        root.getDuration("switchboard.session.http-response-timeout"),
        List.copyOf(keys),
        security.getBoolean("allow-insecure"),
        root.getDuration("switchboard.shutdown.drain-time"));
  }
}
