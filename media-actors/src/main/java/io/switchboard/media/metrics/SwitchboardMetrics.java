package io.switchboard.media.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.media.session.SessionDirectory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's Prometheus metrics, one registry per ActorSystem (several nodes may share a JVM in tests,
 * so the library's global default registry is not used). {@code GET /metrics} renders {@link #registry()}.
 */
public final class SwitchboardMetrics implements Extension {

  private final PrometheusRegistry registry = new PrometheusRegistry();

  public final Gauge controlConnections = Gauge.builder()
      .name("switchboard_control_connections").help("Open control WebSocket connections").register(registry);
  public final Counter controlCommands = Counter.builder()
      .name("switchboard_control_commands_total").help("Control requests handled, by method and outcome (ok or the error code)")
      .labelNames("method", "outcome").register(registry);
  public final Counter eventsDelivered = Counter.builder()
      .name("switchboard_events_delivered_total").help("Session events written to control connections").register(registry);
  public final Counter eventsDropped = Counter.builder()
      .name("switchboard_events_dropped_total").help("Session events dropped because a control client was too slow").register(registry);
  public final Counter httpRequests = Counter.builder()
      .name("switchboard_http_requests_total").help("HTTP API requests, by route and status").labelNames("route", "status").register(registry);

  private SwitchboardMetrics(ActorSystem<?> system) {
    SessionDirectory directory = SessionDirectory.get(system);
    GaugeWithCallback.builder()
        .name("switchboard_sessions").help("Sessions hosted on this node")
        .callback(cb -> cb.call(directory.size()))
        .register(registry);
  }

  public static final ExtensionId<SwitchboardMetrics> ID = new ExtensionId<>() {
    @Override
    public SwitchboardMetrics createExtension(ActorSystem<?> system) {
      return new SwitchboardMetrics(system);
    }
  };

  public static SwitchboardMetrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  public PrometheusRegistry registry() {
    return registry;
  }
}
