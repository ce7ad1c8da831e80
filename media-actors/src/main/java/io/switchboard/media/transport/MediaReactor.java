package io.switchboard.media.transport;

import io.switchboard.media.sdp.OfferAnswer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's media thread: owns every RTP/RTCP socket of the node's endpoints, and for each datagram
 * runs receive → validate → route → rewrite → send as plain function calls ({@link MediaPort#onRtp}).
 *
 * <p>Why a selector thread and not a Pekko Streams graph per packet: the relay budget is about 10 µs a
 * packet on one core (docs/benchmarks.md, shared/bench), and any hand-off between threads or
 * interpreters per packet (a stream boundary, a mailbox) costs more than the relaying itself. Actors own
 * the control state and push it here as immutable values; packets never leave this thread. The control
 * plane talks to the thread only through {@link #tasks} (registration, removal), never per packet.
 */
public final class MediaReactor implements Extension {

  private static final Logger LOG = LoggerFactory.getLogger(MediaReactor.class);
  private static final long TICK_NANOS = 100_000_000L;
  private static final long FRAME_NANOS = 20_000_000L;
  private static final int TICKS_PER_TOTALS = 10;
  private static final int EOPNOTSUPP = 95;
  /** A warm-up whose loops lost their packets ends here rather than holding the node back. */
  private static final long WARM_UP_LIMIT_NANOS = 10_000_000_000L;

  /** Two bound sockets waiting for their endpoint's negotiation to finish. */
  public record PortPair(int rtpPort, UdpSocket rtp, UdpSocket rtcp) {}

  private final MediaSettings settings;
  private final PortPool ports;
  private final Poller poller;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Timed work on the media thread (paced packets such as injected DTMF), by due time. */
  private final java.util.PriorityQueue<Timed> timed = new java.util.PriorityQueue<>();
  private long timedSequence;
  private final List<MediaPort> active = new ArrayList<>();
  /** Counters of removed endpoints, so that the node's totals never go backwards (media thread). */
  private final long[] retired = new long[MediaTotals.SLOTS];
  private volatile MediaTotals totals = MediaTotals.NONE;
  private int ticksSinceTotals;
  private final ReceiveBatch batch = new ReceiveBatch();
  /** Whether the sockets are read and written through {@link NativeUdp} (else NIO). */
  private final boolean nativeIo;
  private final StandardProtocolFamily family;
  private final ByteBuffer out = ByteBuffer.allocateDirect(2048);
  private final Thread thread;
  /** Made once: a method reference written in the loop would be a new object on every wake-up. */
  private final Poller.Ready onReady = this::onReady;
  private volatile boolean running = true;
  private final CompletableFuture<Long> warm = new CompletableFuture<>();

  private MediaReactor(ActorSystem<?> system) {
    this.settings = MediaSettings.fromConfig(system.settings().config());
    this.ports = new PortPool(settings.portMin(), settings.portMax());
    this.family = familyOf(settings.ip());
    this.nativeIo = chooseIo(settings.nativeIo(), family);
    try {
      this.poller = Poller.open(nativeIo);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the media thread's poller", e);
    }
    this.thread = new Thread(this::run, "switchboard-media-" + system.name());
    thread.setDaemon(true);
    thread.start();
    system.getWhenTerminated().thenRun(this::stop);
  }

  public static final ExtensionId<MediaReactor> ID = new ExtensionId<>() {
    @Override
    public MediaReactor createExtension(ActorSystem<?> system) {
      return new MediaReactor(system);
    }
  };

  public static MediaReactor get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  public MediaSettings settings() {
    return settings;
  }

  public PortPool ports() {
    return ports;
  }

  /** Whether this node's media thread reads and writes its sockets with native calls (else NIO). */
  public boolean nativeIo() {
    return nativeIo;
  }

  private static StandardProtocolFamily familyOf(String ip) {
    try {
      return InetAddress.getByName(ip) instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("switchboard.media.ip: cannot resolve \"" + ip + "\"", e);
    }
  }

  private static boolean chooseIo(MediaSettings.NativeIo mode, StandardProtocolFamily family) {
    if (mode == MediaSettings.NativeIo.OFF) {
      LOG.info("media I/O: NIO (switchboard.media.native-io = off)");
      return false;
    }
    String refused = !NativeUdp.available() ? NativeUdp.unavailableReason()
        : family != StandardProtocolFamily.INET ? "switchboard.media.ip is not an IPv4 address" : null;
    if (refused == null) {
      LOG.info("media I/O: native (recvmmsg/sendto)");
      return true;
    }
    if (mode == MediaSettings.NativeIo.ON) {
      throw new IllegalStateException("switchboard.media.native-io = on, but native media I/O cannot be used: " + refused);
    }
    LOG.info("media I/O: NIO, because {}", refused);
    return false;
  }

  /**
   * Binds an even RTP port and the RTCP port above it from the pool.
   *
   * @throws IOException when the pool is exhausted or no free pair can be bound
   */
  public PortPair allocate() throws IOException {
    for (int attempt = 0; attempt < 16; attempt++) {
      int port = ports.acquire();
      if (port < 0) throw new IOException("no free RTP port in " + settings.portMin() + ".." + settings.portMax());
      UdpSocket rtp = null;
      try {
        rtp = bind(port);
        UdpSocket rtcp = bind(port + 1);
        return new PortPair(port, rtp, rtcp);
      } catch (IOException inUse) {
        // another process holds this pair: back to the end of the pool, try the next one
        if (rtp != null) rtp.close();
        ports.release(port);
        LOG.debug("port pair {} is taken by another process: {}", port, inUse.getMessage());
      }
    }
    throw new IOException("could not bind an RTP port pair on " + settings.ip());
  }

  private UdpSocket bind(int port) throws IOException {
    DatagramChannel ch = DatagramChannel.open(family);
    try {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBuffer());
      ch.bind(new InetSocketAddress(settings.ip(), port));
      ch.configureBlocking(false);
      return new UdpSocket(ch, nativeIo);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Starts relaying on {@code pair}: its packets are read by the media thread from now on. */
  public MediaPort activate(String endpointId, PortPair pair, OfferAnswer.Negotiated n, MediaListener listener) {
    MediaPort port = new MediaPort(endpointId, pair.rtpPort(), pair.rtp(), pair.rtcp(), n.codec(), n.telephoneEvent(),
        n.direction(), resolved(n.remoteRtp()), resolved(n.remoteRtcp()), n.rtcpMux(), listener);
    port.learningWindowNanos = settings.learningWindow().toNanos(); // published to the media thread by submit
    submit(() -> {
      try {
        plugIn(port);
        port.nextReportNanos = System.nanoTime() + reportInterval() / 2; // RFC 3550 §6.2: the first one after half
        active.add(port);
      } catch (IOException e) {
        LOG.warn("endpoint {} could not start its media: {}", endpointId, e.toString());
      }
    });
    return port;
  }

  /** A local source (tone, file) as an endpoint's port; it plays once {@link #play} starts it. */
  public MediaPort newSource(String endpointId, io.switchboard.media.source.FrameSource source, MediaListener listener) {
    return MediaPort.generated(endpointId, source, listener);
  }

  /**
   * Starts a source port (after its routes are set, so its first frame is heard): a frame every 20 ms
   * on the media thread, on a fixed schedule so it does not drift, until it ends or the port is closed.
   */
  public void play(MediaPort source) {
    submit(() -> {
      Timed tick = new Timed(System.nanoTime(), timedSequence++, null);
      tick.task = () -> sourceTick(source, tick);
      tick.task.run();
    });
  }

  /** One frame of a source; its one {@link Timed} is queued again for the next, so ticking allocates nothing. */
  private void sourceTick(MediaPort port, Timed tick) {
    long now = System.nanoTime();
    if (!port.onSourceTick(now, out)) return;
    long next = tick.dueNanos + FRAME_NANOS;
    // far behind (the process stalled): skip the missed ticks instead of sending them in a burst
    if (now - next >= FRAME_NANOS) next += (now - next) / FRAME_NANOS * FRAME_NANOS;
    tick.dueNanos = next;
    tick.order = timedSequence++;
    timed.add(tick);
  }

  /** Queues a digit for the endpoint's peer (see {@link MediaPort#injectDtmf}). */
  public void injectDtmf(MediaPort port, int event, int durationMs, int volume) {
    submit(() -> port.injectDtmf(this, event, durationMs, volume));
  }

  /** Stops the endpoint's media, closes its sockets and returns its ports to the pool. */
  public void close(MediaPort port) {
    submit(() -> {
      if (active.remove(port)) MediaTotals.add(retired, port);
      unplug(port);
      if (port.rtpPort > 0) ports.release(port.rtpPort); // bridge and source ports hold none
    });
  }

  /** Releases a pair that never became an endpoint (negotiation failed or the endpoint was removed). */
  public void release(PortPair pair) {
    pair.rtp().close();
    pair.rtcp().close();
    ports.release(pair.rtpPort());
  }

  /** Resolves a peer's address from SDP once, off the media thread; null when it is unusable (0.0.0.0, unknown). */
  public static InetSocketAddress resolved(InetSocketAddress address) {
    if (address == null || address.getPort() == 0) return null;
    InetSocketAddress r = address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    if (r.isUnresolved() || r.getAddress().isAnyLocalAddress()) return null;
    return r;
  }

  /** A task due at a time; mutable only while it is out of the queue (a source's tick is reused). */
  private static final class Timed implements Comparable<Timed> {
    long dueNanos;
    long order;
    Runnable task;

    Timed(long dueNanos, long order, Runnable task) {
      this.dueNanos = dueNanos;
      this.order = order;
      this.task = task;
    }

    public int compareTo(Timed o) {
      int c = Long.compare(dueNanos - o.dueNanos, 0);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  /** Runs {@code task} on the media thread at {@code dueNanos} (System.nanoTime), about 1 ms late at most. */
  void schedule(long dueNanos, Runnable task) {
    submit(() -> timed.add(new Timed(dueNanos, timedSequence++, task)));
  }

  /** Runs {@code task} on the media thread soon. */
  void submitToMediaThread(Runnable task) {
    submit(task);
  }

  /** A mixer for one session's parties, ticking on this node's media thread. */
  public Mixer newMixer() {
    return new Mixer(this);
  }

  private void submit(Runnable task) {
    tasks.add(task);
    poller.wakeup();
  }

  private void run() {
    WarmUp warmUp = startWarmUp();
    long warmUpStart = System.nanoTime();
    if (warmUp == null) takeItsPlace(0);
    long nextTick = System.nanoTime() + TICK_NANOS;
    long timeoutNanos = settings.mediaTimeout().toNanos();
    while (running) {
      try {
        for (Runnable t; (t = tasks.poll()) != null; ) t.run();
        poller.poll(pollTimeoutMs(), onReady);
        long now = System.nanoTime();
        if (warmUp != null && !stepWarmUp(warmUp, now, warmUpStart)) warmUp = null;
        while (!timed.isEmpty() && timed.peek().dueNanos - now <= 0) timed.poll().task.run();
        if (now >= nextTick) {
          nextTick = now + TICK_NANOS;
          for (int i = 0; i < active.size(); i++) tick(active.get(i), now, timeoutNanos);
          if (++ticksSinceTotals == TICKS_PER_TOTALS) publishTotals();
        }
      } catch (Throwable t) {
        // the media thread must survive anything one packet or endpoint does
        LOG.error("media thread error (continuing)", t);
      }
    }
    if (warmUp != null) warmUp.stop(); // the system stopped while it ran
  }

  /**
   * The warm-up's loops on sockets of their own (see {@link WarmUp}); null when it is switched off or
   * cannot bind, and then the node starts without it.
   */
  private WarmUp startWarmUp() {
    if (settings.warmUpPackets() == 0) return null;
    WarmUp w = null;
    try {
      w = new WarmUp(warmUpHost, settings.ip(), settings.warmUpPackets());
      w.start(out);
      return w;
    } catch (IOException e) {
      LOG.warn("media thread: no warm-up ({}): the first calls carry the relay path while it compiles", e.toString());
      if (w != null) w.stop();
      return null;
    }
  }

  /** @return false once the warm-up is over (done, failed or out of time) and the media thread has taken its place */
  private boolean stepWarmUp(WarmUp w, long now, long started) {
    try {
      if (w.step(now, out) && now - started < WARM_UP_LIMIT_NANOS) return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("media thread: warm-up stopped ({})", e.toString());
    }
    w.stop();
    long ms = (now - started) / 1_000_000;
    if (w.complete()) LOG.info("media thread: warmed up, {} packets relayed in {} ms", w.relayed(), ms);
    else LOG.warn("media thread: warm-up stopped after {} ms with {} packets relayed", ms, w.relayed());
    takeItsPlace(w.relayed());
    return false;
  }

  private final WarmUp.Host warmUpHost = new WarmUp.Host() {
    @Override
    public UdpSocket bind(int port) throws IOException {
      return MediaReactor.this.bind(port);
    }

    @Override
    public void register(MediaPort port) throws IOException {
      plugIn(port);
    }

    @Override
    public void retire(MediaPort port) {
      unplug(port);
    }
  };

  /** The media thread reads the port's sockets from now on. */
  private void plugIn(MediaPort port) throws IOException {
    poller.register(port.rtp);
    poller.register(port.rtcp);
  }

  /** The media thread stops reading the port's sockets (if it has any) and the port says BYE and closes them. */
  private void unplug(MediaPort port) {
    if (port.rtp != null) {
      poller.deregister(port.rtp);
      poller.deregister(port.rtcp);
    }
    port.close(out);
  }

  /** The media thread takes its place among the JVM's threads now: while warming up it shares the core with the compilers as an equal. */
  private void takeItsPlace(long warmUpPackets) {
    if (nativeIo && (settings.threadNice() != 0 || !settings.threadSlice().isZero())) {
      applyScheduling(settings.threadNice(), settings.threadSlice().toNanos());
    }
    warm.complete(warmUpPackets);
  }

  /**
   * Completes, with the packets the warm-up relayed, when the media thread has warmed up (at once, with
   * 0, when that is switched off): the node can take calls at full speed.
   */
  public CompletionStage<Long> warmedUp() {
    return warm;
  }

  private static void applyScheduling(int nice, long sliceNanos) {
    int result = NativeUdp.setThreadScheduling(nice, sliceNanos);
    if (result != 0 && result != -EOPNOTSUPP && nice < 0) {
      LOG.warn("media thread: cannot set nice {} (errno {}): it shares the core with the JVM's other threads as equals;"
          + " grant CAP_SYS_NICE or LimitNICE={} (systemd), or set switchboard.media.thread-nice = 0", nice, -result, nice);
      nice = 0;
      result = NativeUdp.setThreadScheduling(0, sliceNanos);
    }
    if (result == -EOPNOTSUPP) {
      LOG.warn("media thread: this kernel keeps no time slice of a thread's own (Linux 6.12 and later do); its default applies");
      sliceNanos = 0;
      result = 0;
    }
    if (result == 0) {
      LOG.info("media thread: nice {}, time slice {}", nice, sliceNanos == 0 ? "the kernel's default" : sliceNanos / 1000 + " µs");
    } else {
      LOG.warn("media thread: cannot set nice {} and time slice {} ns (errno {})", nice, sliceNanos, -result);
    }
  }

  /** The node's RTP endpoints summed up, as of the last second or so. */
  public MediaTotals totals() {
    return totals;
  }

  private void publishTotals() {
    ticksSinceTotals = 0;
    long[] sum = retired.clone();
    for (int i = 0; i < active.size(); i++) MediaTotals.add(sum, active.get(i));
    totals = MediaTotals.of(active.size(), sum);
  }

  private void tick(MediaPort port, long now, long timeoutNanos) {
    port.checkTimeout(now, timeoutNanos);
    if (now - port.nextReportNanos >= 0) {
      port.sendReport(now, out, false);
      port.nextReportNanos = now + reportInterval();
    }
  }

  /** The report interval, randomised between 0.5 and 1.5 times the configured one (RFC 3550 §6.3.1). */
  private long reportInterval() {
    long mean = settings.rtcpInterval().toNanos();
    return mean / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, mean));
  }

  private long pollTimeoutMs() {
    if (timed.isEmpty()) return 50;
    long ms = (timed.peek().dueNanos - System.nanoTime()) / 1_000_000;
    return Math.max(1, Math.min(50, ms));
  }

  private void onReady(UdpSocket socket, long now) {
    MediaPort port = socket.owner;
    int n = socket.receive(batch);
    for (int i = 0; i < n; i++) {
      SocketAddress source = batch.sources[i];
      if (source == null) continue;
      if (socket.carriesRtp) port.onRtp(batch.packets[i], source, out, now); else port.onRtcp(batch.packets[i], source);
    }
  }

  private void stop() {
    running = false;
    poller.wakeup();
    try {
      thread.join(2000);
      for (MediaPort p : active) p.close(out);
      poller.close();
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    }
  }
}
