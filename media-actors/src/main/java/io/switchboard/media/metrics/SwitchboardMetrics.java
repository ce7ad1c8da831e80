package io.switchboard.media.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.media.rtp.DropReason;
import io.switchboard.media.session.SessionDirectory;
import io.switchboard.media.transport.MediaReactor;
import io.switchboard.media.transport.MediaTotals;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
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
  /** Counted where the decoding happens, so a shared source that plays in many sessions shows as one. */
  public final Counter playbackDecodes = Counter.builder()
      .name("switchboard_playback_decodes_total")
      .help("Audio files and downloads decoded for playback; a shared source counts once while its clip is cached")
      .register(registry);
  public final Counter playbackDownloads = Counter.builder()
      .name("switchboard_playback_downloads_total")
      .help("HTTP(S) downloads made for playback; plays served from the download cache are not counted")
      .register(registry);

  private SwitchboardMetrics(ActorSystem<?> system) {
    SessionDirectory directory = SessionDirectory.get(system);
    GaugeWithCallback.builder()
        .name("switchboard_sessions").help("Sessions hosted on this node")
        .callback(cb -> cb.call(directory.size()))
        .register(registry);
    registerMedia(system);
    registerKernelDrops();
  }

  /**
   * The media plane's totals, read from the media thread's last summary (about once a second). A node
   * that has never hosted media (a gateway) reports zeros instead of starting a media thread for it.
   */
  private void registerMedia(ActorSystem<?> system) {
    Supplier<MediaTotals> totals = () -> system.hasExtension(MediaReactor.ID) ? MediaReactor.get(system).totals() : MediaTotals.NONE;
    GaugeWithCallback.builder()
        .name("switchboard_media_endpoints").help("RTP endpoints with sockets on this node")
        .callback(cb -> cb.call(totals.get().endpoints()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("switchboard_media_native_io").help("1 when the media thread reads and writes its sockets with native calls, 0 with NIO (switchboard.media.native-io)")
        .callback(cb -> cb.call(system.hasExtension(MediaReactor.ID) && MediaReactor.get(system).nativeIo() ? 1 : 0))
        .register(registry);
    counter("switchboard_rtp_packets_received_total", "RTP packets received from peers and accepted", totals, MediaTotals::packetsIn);
    counter("switchboard_rtp_bytes_received_total", "Bytes of the RTP packets received and accepted", totals, MediaTotals::bytesIn);
    counter("switchboard_rtp_packets_sent_total", "RTP packets sent to peers", totals, MediaTotals::packetsOut);
    counter("switchboard_rtp_bytes_sent_total", "Bytes of the RTP packets sent to peers", totals, MediaTotals::bytesOut);
    CounterWithCallback.builder()
        .name("switchboard_rtp_packets_dropped_total")
        .help("Packets from peers dropped by the media plane (malformed, unnegotiated, wrong source) or that could not be sent, by reason")
        .labelNames("reason")
        .callback(cb -> {
          MediaTotals t = totals.get();
          for (DropReason r : DropReason.values()) {
            if (r != DropReason.NONE) cb.call(t.dropped(r), r.name().toLowerCase(Locale.ROOT));
          }
        })
        .register(registry);
  }

  private void counter(String name, String help, Supplier<MediaTotals> totals, ToLongFunction<MediaTotals> value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.applyAsLong(totals.get())))
        .register(registry);
  }

  /**
   * Datagrams the kernel dropped because a socket's receive buffer was full: on a media node that is
   * the relay falling behind (switchboard.media.receive-buffer is the queue). Linux counts them for the
   * whole network namespace, not per process; elsewhere the metric is absent.
   */
  private void registerKernelDrops() {
    if (KernelUdpCounters.receiveBufferErrors() < 0) return;
    CounterWithCallback.builder()
        .name("switchboard_udp_receive_buffer_errors_total")
        .help("UDP datagrams the kernel dropped for a full receive buffer (Udp RcvbufErrors of /proc/net/snmp: every process of this network namespace)")
        .callback(cb -> cb.call(Math.max(0, KernelUdpCounters.receiveBufferErrors())))
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
