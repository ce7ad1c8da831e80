package io.switchboard.media.transport;

import io.switchboard.media.codec.G711;
import io.switchboard.media.recording.Recording;
import io.switchboard.media.recording.RecordingTap;
import io.switchboard.media.rtp.DropReason;
import io.switchboard.media.rtp.DtmfDetector;
import io.switchboard.media.rtp.NtpTime;
import io.switchboard.media.rtp.OutboundStream;
import io.switchboard.media.rtp.RtcpParser;
import io.switchboard.media.rtp.RtcpWriter;
import io.switchboard.media.rtp.RtpHeader;
import io.switchboard.media.rtp.TelephoneEvent;
import io.switchboard.media.sdp.Direction;
import io.switchboard.media.sdp.RtpMap;
import io.switchboard.media.source.FrameSource;
import io.switchboard.media.vad.VoiceActivityDetector;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The media side of one RTP endpoint: its two sockets (RTP on an even port, RTCP on the next), the
 * negotiated codec and direction, the peer's address, counters, and the endpoints its packets go to.
 *
 * <p>Threads: everything named {@code on…} runs on the {@link MediaReactor} thread that owns the
 * sockets, and does not allocate or block. The control plane changes the configuration through the
 * volatile fields ({@link #route}, {@link #direction}, {@link #remote}); each is an immutable value
 * swapped whole, so the media thread sees one consistent state per packet without locks.
 */
public final class MediaPort {

  /** Where a packet of this endpoint goes: the receiving endpoints, fixed for one routing state. */
  public record Route(MediaPort[] targets) {
    public static final Route NONE = new Route(new MediaPort[0]);
  }

  private static final DropReason[] REASONS = DropReason.values();

  final String endpointId;
  final int rtpPort;
  final UdpSocket rtp;
  final UdpSocket rtcp;
  private final MediaListener listener;
  private final RtpMap codec;
  /** The G.711 law of {@link #codec}, for mixing (null for bridge ports). */
  final G711 law;
  private final RtpMap telephoneEvent;
  /** The payload types of {@link #codec} and {@link #telephoneEvent} (-1: none), read per packet without the maps. */
  private final int codecPt;
  private final int eventPt;
  private final DtmfDetector dtmf = new DtmfDetector(8000);
  private final RtpHeader header = new RtpHeader();
  private final RtcpParser.Listener rtcpListener;
  private final DtmfDetector.Sink dtmfSink;

  volatile Route route = Route.NONE;
  private static final RecordingTap[] NO_TAPS = new RecordingTap[0];
  /** Voice activity detection on the peer's audio, when started. */
  private volatile VoiceActivityDetector vad;
  /** The recordings hearing this endpoint; swapped whole by the control plane. */
  private volatile RecordingTap[] taps = NO_TAPS;
  /** Set while the session mixes (3+ RTP parties): audio goes into {@link #mixIn} instead of the route. */
  volatile Mixer mixer;
  /** This party's audio waiting for the mixer, and the frame the mixer took from it this tick. */
  MixBuffer mixIn; // made when the port first joins a mix: most ports never do, and it is 4 KB
  final short[] mixFrame = new short[Mixer.FRAME];
  boolean mixHasAudio;
  /** The mixer's own numbering of the frames it makes for this receiver, before {@link #stream} maps them. */
  int mixSeq;
  long mixTimestamp;
  /** The sender whose packets {@link #conversion} was worked out for (media thread only). */
  private MediaPort conversionSender;
  private int conversion;
  private static final int PASS_THROUGH = 0, ULAW_TO_ALAW = 1, ALAW_TO_ULAW = 2, CANNOT_CONVERT = 3;
  /** Everything this endpoint sends its peer goes out as this one stream. */
  final OutboundStream stream;
  private MediaPort partner;
  /** A bridge half's buffer for decoding what crosses it, for recordings; empty for other ports. */
  private short[] bridgeFrame = new short[0];
  /** For a local source (tone, file): where its frames come from, and its own numbering of them. */
  private final FrameSource source;
  private final short[] sourceFrame;
  private int sourceSeq;
  private long sourceTimestamp;
  private volatile boolean closed;
  /** Bridges may chain (A–B–C); a cycle of bridges must not bounce a packet forever. */
  private static final int MAX_BRIDGE_HOPS = 4;
  volatile Direction direction;
  /** The peer's RTP address: from SDP until the first packet, then the packet's source (symmetric RTP). */
  volatile InetSocketAddress remote;
  private volatile boolean latched;
  /** When the first packet came, and how long after it a new source may still replace the peer's address. */
  private long latchedNanos;
  long learningWindowNanos;

  // RTCP (RFC 3550 §6): reports go to the peer's RTCP address, which its own RTCP packets correct
  private final boolean rtcpMux;
  private volatile InetSocketAddress rtcpRemote;
  private boolean rtcpLatched;
  private final byte[] cname;
  long nextReportNanos;
  private long packetsAtLastReport;
  private long peerSsrc;
  private long peerSenderReportMiddle;
  private long peerSenderReportNanos;
  private volatile double rttMs = Double.NaN;

  // Counters: written by the media thread only, read by statistics. Volatile, so that readers see whole and
  // recent values, but written with release stores (countIn, countOut): the full fence of a volatile store, several
  // times a packet, cost more than the counting.
  private volatile long packetsIn;
  private volatile long bytesIn;
  private volatile long packetsOut;
  private volatile long bytesOut;
  private volatile long lastReceivedNanos;
  private static final VarHandle PACKETS_IN = ReleaseStore.longField(MethodHandles.lookup(), "packetsIn");
  private static final VarHandle BYTES_IN = ReleaseStore.longField(MethodHandles.lookup(), "bytesIn");
  private static final VarHandle PACKETS_OUT = ReleaseStore.longField(MethodHandles.lookup(), "packetsOut");
  private static final VarHandle BYTES_OUT = ReleaseStore.longField(MethodHandles.lookup(), "bytesOut");
  private static final VarHandle LAST_RECEIVED = ReleaseStore.longField(MethodHandles.lookup(), "lastReceivedNanos");
  /**
   * The earliest time of the next media timeout in a silence that has raised one; kept apart from
   * {@link #lastReceivedNanos}, which statistics and the session's idle timeout read as the truth.
   */
  private long nextTimeoutNanos;
  private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
  private final ReceptionStats reception = new ReceptionStats(8000);

  MediaPort(String endpointId, int rtpPort, UdpSocket rtp, UdpSocket rtcp, RtpMap codec, RtpMap telephoneEvent,
            Direction direction, InetSocketAddress remote, InetSocketAddress remoteRtcp, boolean rtcpMux,
            MediaListener listener) {
    this(endpointId, rtpPort, rtp, rtcp, codec, telephoneEvent, direction, remote, remoteRtcp, rtcpMux, listener, null);
  }

  private MediaPort(String endpointId, int rtpPort, UdpSocket rtp, UdpSocket rtcp, RtpMap codec,
                    RtpMap telephoneEvent, Direction direction, InetSocketAddress remote, InetSocketAddress remoteRtcp,
                    boolean rtcpMux, MediaListener listener, FrameSource source) {
    this.endpointId = endpointId;
    this.source = source;
    this.sourceFrame = source == null ? null : new short[FrameSource.FRAME];
    this.rtpPort = rtpPort;
    this.rtp = rtp;
    this.rtcp = rtcp;
    if (rtp != null) {
      rtp.owner = this;
      rtp.carriesRtp = true;
      rtcp.owner = this;
    }
    this.codec = codec;
    this.law = codec == null ? null : codec.encoding().equalsIgnoreCase("PCMA") ? G711.PCMA : G711.PCMU;
    this.telephoneEvent = telephoneEvent;
    this.codecPt = codec == null ? -1 : codec.payloadType();
    this.eventPt = telephoneEvent == null ? -1 : telephoneEvent.payloadType();
    this.direction = direction;
    this.remote = remote;
    this.rtcpRemote = remoteRtcp;
    this.rtcpMux = rtcpMux;
    this.cname = ("switchboard-" + Long.toHexString(ThreadLocalRandom.current().nextLong())).getBytes(StandardCharsets.US_ASCII);
    this.listener = listener;
    this.lastReceivedNanos = System.nanoTime();
    this.nextTimeoutNanos = lastReceivedNanos;
    this.stream = new OutboundStream(codec == null ? 8000 : codec.clockRate(), lastReceivedNanos);
    this.dtmfSink = (digit, ms) -> listener.dtmf(endpointId, digit, ms);
    this.rtcpListener = new RtcpParser.Listener() {
      @Override
      public void bye(long[] ssrcs, String reason) {
        listener.rtcpBye(endpointId, ssrcs, reason);
      }

      @Override
      public void senderReport(long ssrc, long ntpMiddle32, long rtpTimestamp, long packets, long octets) {
        peerSenderReportMiddle = ntpMiddle32;
        peerSenderReportNanos = System.nanoTime();
      }

      @Override
      public void reportBlock(long reporterSsrc, long sourceSsrc, int fractionLost, int cumulativeLost,
                              long extendedHighestSeq, long jitter, long lsr, long dlsr) {
        if (sourceSsrc == stream.ssrc() && lsr != 0) roundTrip(lsr, dlsr);
      }
    };
  }

  /**
   * A bridge port: no sockets; what is sent to it is routed on by its partner in the other session
   * ({@code session.bridge}). Both halves live on the media thread of one node.
   */
  public static MediaPort[] bridgePair(String endpointId, String partnerEndpointId, boolean aToB, boolean bToA,
                                       MediaListener listenerA, MediaListener listenerB) {
    MediaPort a = new MediaPort(endpointId, 0, null, null, null, null, Direction.of(aToB, bToA), null, null, false, listenerA);
    MediaPort b = new MediaPort(partnerEndpointId, 0, null, null, null, null, Direction.of(bToA, aToB), null, null, false, listenerB);
    a.partner = b;
    b.partner = a;
    a.bridgeFrame = new short[1024];
    b.bridgeFrame = new short[1024];
    return new MediaPort[] {a, b};
  }

  /**
   * A local source's port: no sockets; every 20 ms its frame goes into the session like a peer's audio
   * (it brings audio in and takes none, hence the direction).
   */
  static MediaPort generated(String endpointId, FrameSource source, MediaListener listener) {
    return new MediaPort(endpointId, 0, null, null, null, null, Direction.of(false, true), null, null, false, listener, source);
  }

  /** The other half of a bridge port, or null for an RTP endpoint. */
  public MediaPort partner() { return partner; }

  public boolean isBridge() { return partner != null; }

  public String endpointId() { return endpointId; }

  public int rtpPort() { return rtpPort; }

  public RtpMap codec() { return codec; }

  /** What a local source's port plays; null for other ports. */
  public FrameSource source() { return source; }

  /** The G.711 law of the negotiated codec; null for bridge and source ports. */
  public G711 law() { return law; }

  public Direction direction() { return direction; }

  public InetSocketAddress remote() { return remote; }

  public void setRoute(Route r) { route = r; }

  /** Starts (or, with null, stops) voice activity detection on what the peer sends. */
  public void setVad(VoiceActivityDetector detector) {
    vad = detector;
  }

  /** Lets a recording hear this endpoint's packets from now on. */
  public synchronized void addTap(RecordingTap tap) {
    RecordingTap[] t = java.util.Arrays.copyOf(taps, taps.length + 1);
    t[t.length - 1] = tap;
    taps = t;
  }

  /** Stops {@code recording} hearing this endpoint. */
  public synchronized void removeTaps(Recording recording) {
    taps = java.util.Arrays.stream(taps).filter(t -> t.recording() != recording).toArray(RecordingTap[]::new);
  }

  /** The local address the peer sends RTP to, for recordings; null for ports without sockets. */
  public InetSocketAddress localAddress() {
    return localAddressOf(rtp);
  }

  /** The local address the peer sends RTCP to: the RTCP port, or the RTP port with rtcp-mux. */
  public InetSocketAddress localRtcpAddress() {
    return localAddressOf(rtcpMux ? rtp : rtcp);
  }

  /** Where this endpoint's RTCP reports go (learned from the peer's own RTCP); null until known. */
  public InetSocketAddress rtcpRemote() {
    return rtcpRemote;
  }

  private static InetSocketAddress localAddressOf(UdpSocket socket) {
    try {
      return socket == null ? null : (InetSocketAddress) socket.channel.getLocalAddress();
    } catch (IOException closed) {
      return null;
    }
  }

  public void setDirection(Direction d) { direction = d; }

  public long packetsIn() { return packetsIn; }

  public long bytesIn() { return bytesIn; }

  public long packetsOut() { return packetsOut; }

  public long bytesOut() { return bytesOut; }

  public long dropped(DropReason reason) { return dropped.get(reason.ordinal()); }

  /** Packets dropped for any reason. */
  public long droppedTotal() {
    long sum = 0;
    for (int i = 0; i < REASONS.length; i++) sum += dropped.get(i);
    return sum;
  }

  /** Cumulative packets lost (RFC 3550 §6.4.1: expected minus received, never below zero). */
  public long packetsLost() { return reception.lost(); }

  /** Interarrival jitter (RFC 3550 §6.4.1), in milliseconds. */
  public double jitterMs() { return reception.jitterMs(); }

  public long lastReceivedNanos() { return lastReceivedNanos; }

  /** Round-trip time to the peer from its last report on our stream (RFC 3550 §6.4.1), NaN until known. */
  public double rttMs() { return rttMs; }

  // ---- media thread --------------------------------------------------------------------------------

  /** One RTP-socket datagram, received into {@code in} from position 0 to its limit, waiting by {@code now}. */
  void onRtp(ByteBuffer in, SocketAddress source, ByteBuffer out, long now) {
    int length = in.limit();
    if (RtcpParser.looksLikeRtcp(in, 0, length)) { // rtcp-mux
      onRtcp(in, source);
      return;
    }
    DropReason verdict = header.wrap(in, 0, length).validate();
    if (verdict != DropReason.NONE) {
      drop(verdict);
      return;
    }
    int pt = header.payloadType();
    boolean isEvent = pt == eventPt;
    if (!isEvent && pt != codecPt) {
      drop(DropReason.UNKNOWN_PAYLOAD_TYPE); // before the source check: a stray packet must not capture the endpoint
      return;
    }
    if (!latched) {
      latched = true;
      latchedNanos = now;
      learn(source);
      listener.firstPacket(endpointId);
    } else if (source != remote && !source.equals(remote)) { // the same object while the peer stays put
      if (now - latchedNanos >= learningWindowNanos) {
        drop(DropReason.WRONG_SOURCE);
        return;
      }
      learn(source);
    }
    arrived(length, now);
    if (!isEvent) {
      reception.packet(header.sequenceNumber(), header.timestamp(), now);
      peerSsrc = header.ssrc();
      VoiceActivityDetector v = vad;
      if (v != null) v.frame(law, in, header.payloadOffset(), header.payloadLength());
    }
    RecordingTap[] t = taps;
    for (int i = 0; i < t.length; i++) t[i].rtp(true, in, 0, length, now);
    if (isEvent && header.payloadLength() >= TelephoneEvent.LENGTH) {
      int p = header.payloadOffset();
      dtmf.accept(header.timestamp(), TelephoneEvent.event(in, p), TelephoneEvent.end(in, p), TelephoneEvent.duration(in, p), dtmfSink);
    }
    if (!direction.receives()) return;
    Mixer m = mixer;
    if (m != null && !isEvent) {
      mixIn.write(law, in, header.payloadOffset(), header.payloadLength());
      return;
    }
    for (MediaPort target : route.targets()) target.send(header, in, isEvent, this, out, 0, now);
  }

  /**
   * The peer's media comes from {@code source}: our media goes there from now on (symmetric RTP). During
   * the learning window a later source replaces an earlier one (a NAT that rebinds while the call
   * starts, or a stray packet that came first); after it, the address is fixed.
   */
  private void learn(SocketAddress source) {
    if (source instanceof InetSocketAddress address) {
      // behind NAT the SDP's RTCP address is as wrong as its RTP address: assume the usual port + 1
      // until the peer's own RTCP shows where it is
      if (!rtcpLatched && !address.equals(remote)) {
        rtcpRemote = rtcpMux ? address : new InetSocketAddress(address.getAddress(), address.getPort() + 1);
      }
      remote = address;
    }
  }

  void onRtcp(ByteBuffer in, SocketAddress source) {
    // once the peer is known, its reports must come from its host: nobody else may steer ours or the RTT
    InetSocketAddress peer = remote;
    if (latched && peer != null && source instanceof InetSocketAddress from && !from.getAddress().equals(peer.getAddress())) {
      drop(DropReason.WRONG_SOURCE);
      return;
    }
    DropReason verdict = RtcpParser.parse(in, 0, in.limit(), rtcpListener);
    if (verdict != DropReason.NONE) {
      drop(verdict);
      return;
    }
    if (!rtcpLatched && source instanceof InetSocketAddress address) {
      rtcpLatched = true;
      rtcpRemote = address;
    }
    RecordingTap[] t = taps;
    for (int i = 0; i < t.length; i++) t[i].rtcp(true, in, 0, in.limit(), System.nanoTime());
  }

  /** RTT = arrival − LSR − DLSR, all in 1/65536 s on the NTP clock of our own sender report. */
  private void roundTrip(long lsr, long dlsr) {
    long arrival = NtpTime.middle32(NtpTime.at(System.nanoTime()));
    long rtt = (arrival - lsr - dlsr) & 0xffffffffL;
    if (rtt < 0x8000_0000L) rttMs = rtt * 1000.0 / 65536.0; // a negative RTT is a peer's clock error: ignore it
  }

  /**
   * Sends one compound RTCP packet to the peer: a sender report when this endpoint sent RTP since its
   * last report, else a receiver report; a report block about the peer's stream once it has sent RTP;
   * the CNAME; and BYE when the endpoint is going. Media thread; {@code b} is scratch space.
   */
  void sendReport(long now, ByteBuffer b, boolean bye) {
    InetSocketAddress to = rtcpRemote;
    if (rtp == null || to == null) return;
    long sent = packetsOut;
    boolean sender = sent != packetsAtLastReport;
    packetsAtLastReport = sent;
    int blocks = reception.started() ? 1 : 0;
    long octets = bytesOut - (long) RtpHeader.FIXED_LENGTH * sent; // every packet we send has a fixed header only
    b.clear();
    int at = RtcpWriter.report(b, 0, sender, blocks, stream.ssrc(), NtpTime.at(now), stream.timestampAt(now), sent, octets);
    if (blocks > 0) {
      long dlsr = peerSenderReportNanos == 0 ? 0 : NtpTime.toShortUnits(now - peerSenderReportNanos);
      at = RtcpWriter.reportBlock(b, at, peerSsrc, reception.fractionLostSinceLastReport(), reception.cumulativeLost(),
          reception.extendedHighestSeq(), reception.jitterUnits(), peerSenderReportMiddle, dlsr);
    }
    at = RtcpWriter.sdesCname(b, at, stream.ssrc(), cname);
    if (bye) at = RtcpWriter.bye(b, at, stream.ssrc());
    b.limit(at).position(0);
    if ((rtcpMux ? rtp : rtcp).send(b, to) < 0) drop(DropReason.SEND_FAILED);
    RecordingTap[] t = taps;
    for (int i = 0; i < t.length; i++) t[i].rtcp(false, b, 0, at, now);
  }

  /**
   * Writes one packet of {@code from} to this endpoint's peer, in this endpoint's payload types; a bridge
   * port instead hands it to the endpoints of its partner's session.
   */
  private void send(RtpHeader h, ByteBuffer in, boolean isEvent, MediaPort from, ByteBuffer out, int hops, long now) {
    if (!direction.sends()) return;
    if (partner != null) {
      overBridge(h, in, isEvent, from, out, hops, now);
      return;
    }
    InetSocketAddress to = remote; // resolved: from SDP through MediaReactor.resolved, or a packet's source
    if (to == null) return;
    int outPt;
    int payloadLength = h.payloadLength();
    out.clear();
    if (isEvent) {
      if (telephoneEvent == null) return; // this peer cannot take RFC 4733: its digits are lost, never transcoded
      outPt = eventPt;
      copy(in, h.payloadOffset(), out, payloadLength);
    } else {
      int how = conversionFrom(from);
      if (how == CANNOT_CONVERT) return;
      outPt = codecPt;
      if (how == PASS_THROUGH) copy(in, h.payloadOffset(), out, payloadLength);
      else transcode(in, h.payloadOffset(), out, payloadLength, how == ULAW_TO_ALAW);
    }
    if (!stream.map(from, h.ssrc(), h.sequenceNumber(), h.timestamp(), isEvent, now)) return;
    RtpHeader.writeFixed(out, 0, h.marker(), outPt, stream.seq(), stream.timestamp(), stream.ssrc());
    out.limit(RtpHeader.FIXED_LENGTH + payloadLength).position(0);
    sendDatagram(out, to);
  }

  /**
   * This is a bridge half: the packet crosses into the partner's session, as a party of its mix or
   * routed to its endpoints. Kept out of {@link #send} so that the relay's own path stays small.
   */
  private void overBridge(RtpHeader h, ByteBuffer in, boolean isEvent, MediaPort from, ByteBuffer out, int hops, long now) {
    if (hops >= MAX_BRIDGE_HOPS) return;
    countOut(h.length());
    partner.countIn(h.length());
    if (!isEvent) partner.bridgedAudio(in, h.payloadOffset(), h.payloadLength(), from.law, now);
    if (!isEvent && partner.mixer != null) {
      if (from.law != null) partner.mixIn.write(from.law, in, h.payloadOffset(), h.payloadLength()); // a party of that mix
      return;
    }
    for (MediaPort target : partner.route.targets()) target.send(h, in, isEvent, from, out, hops + 1, now);
  }

  /** Sends one prepared datagram to the peer from this endpoint's RTP port, counting it or the failure. */
  void sendDatagram(ByteBuffer packet, InetSocketAddress to) {
    int length = packet.limit();
    int sent = rtp.send(packet, to);
    if (sent < 0) {
      drop(DropReason.SEND_FAILED);
      return;
    }
    countOut(sent);
    RecordingTap[] t = taps;
    if (t.length > 0) {
      long now = System.nanoTime();
      for (int i = 0; i < t.length; i++) t[i].rtp(false, packet, 0, length, now);
    }
  }

  private static void copy(ByteBuffer in, int from, ByteBuffer out, int length) {
    out.put(RtpHeader.FIXED_LENGTH, in, from, length);
  }

  /**
   * How audio of {@code from} becomes audio in this endpoint's codec. Worked out when the sender changes,
   * not per packet: comparing encoding names cost more than the rest of the relay's own work.
   */
  private int conversionFrom(MediaPort from) {
    if (from != conversionSender) {
      conversion = conversion(from.codec, codec);
      conversionSender = from;
    }
    return conversion;
  }

  private static int conversion(RtpMap source, RtpMap target) {
    if (source.sameCodec(target)) return PASS_THROUGH;
    String from = source.encoding(), to = target.encoding();
    if (from.equalsIgnoreCase("PCMU") && to.equalsIgnoreCase("PCMA")) return ULAW_TO_ALAW;
    if (from.equalsIgnoreCase("PCMA") && to.equalsIgnoreCase("PCMU")) return ALAW_TO_ULAW;
    return CANNOT_CONVERT;
  }

  /** G.711 μ-law ⇄ A-law by table, sample for sample. */
  private static void transcode(ByteBuffer in, int from, ByteBuffer out, int length, boolean ulawToAlaw) {
    for (int i = 0; i < length; i++) {
      int code = in.get(from + i);
      out.put(RtpHeader.FIXED_LENGTH + i, ulawToAlaw ? G711.ulawToAlaw(code) : G711.alawToUlaw(code));
    }
  }

  // ---- local sources ----------------------------------------------------------------------------------

  /**
   * One 20 ms tick of a local source: its next frame goes into the mix, or to each receiver encoded in
   * its codec. Returns false when the source has ended (or failed, or the endpoint is gone): no more ticks.
   */
  boolean onSourceTick(long now, ByteBuffer out) {
    if (closed) return false;
    int got;
    try {
      got = source.read(sourceFrame);
    } catch (RuntimeException e) {
      listener.sourceFinished(endpointId, e.getMessage() == null ? e.toString() : e.getMessage());
      return false;
    }
    if (got == FrameSource.ENDED) {
      listener.sourceFinished(endpointId, null);
      return false;
    }
    if (got == FrameSource.NOTHING) return true;
    arrived(2 * FrameSource.FRAME, now);
    RecordingTap[] t = taps;
    for (int i = 0; i < t.length; i++) t[i].pcm(sourceFrame, FrameSource.FRAME, now);
    if (mixer != null) {
      mixIn.write(sourceFrame, FrameSource.FRAME);
    } else {
      for (MediaPort target : route.targets()) target.sendPcm(sourceFrame, this, out, 0, now);
    }
    sourceSeq = (sourceSeq + 1) & 0xffff;
    sourceTimestamp += FrameSource.FRAME;
    return true;
  }

  /**
   * Sends this session's mix over a bridge (this is the sending half): into the other session as a
   * frame of this half's own numbering, heard there like a party.
   */
  void sendBridgedPcm(short[] pcm, ByteBuffer out, long now) {
    sendPcm(pcm, this, out, 0, now);
    sourceSeq = (sourceSeq + 1) & 0xffff;
    sourceTimestamp += FrameSource.FRAME;
  }

  /**
   * Audio entering this session over a bridge (this is the receiving half): recordings of the session
   * hear it as decoded PCM, since its codec is that of wherever it came from.
   */
  private void bridgedAudio(ByteBuffer in, int offset, int length, G711 sourceLaw, long now) {
    RecordingTap[] t = taps;
    if (t.length == 0 || sourceLaw == null) return;
    int n = Math.min(length, bridgeFrame.length);
    for (int i = 0; i < n; i++) bridgeFrame[i] = G711.decodeSample(sourceLaw, in.get(offset + i));
    for (int i = 0; i < t.length; i++) t[i].pcm(bridgeFrame, n, now);
  }

  /** Sends one frame of a local source to this endpoint's peer in its codec (across a bridge: onwards). */
  private void sendPcm(short[] pcm, MediaPort from, ByteBuffer out, int hops, long now) {
    if (!direction.sends()) return;
    if (partner != null) {
      if (hops >= MAX_BRIDGE_HOPS) return;
      countOut(0);
      partner.countIn(0);
      RecordingTap[] t = partner.taps;
      for (int i = 0; i < t.length; i++) t[i].pcm(pcm, FrameSource.FRAME, now);
      if (partner.mixer != null) {
        partner.mixIn.write(pcm, FrameSource.FRAME);
        return;
      }
      for (MediaPort target : partner.route.targets()) target.sendPcm(pcm, from, out, hops + 1, now);
      return;
    }
    InetSocketAddress to = remote;
    if (to == null || law == null) return;
    if (!stream.map(from, 0, from.sourceSeq, from.sourceTimestamp, false, now)) return;
    out.clear();
    law.encode(pcm, FrameSource.FRAME, out, RtpHeader.FIXED_LENGTH);
    RtpHeader.writeFixed(out, 0, false, codec.payloadType(), stream.seq(), stream.timestamp(), stream.ssrc());
    out.limit(RtpHeader.FIXED_LENGTH + FrameSource.FRAME).position(0);
    sendDatagram(out, to);
  }

  // ---- DTMF injection (RFC 4733 §2.5.1) ---------------------------------------------------------------

  private static final long PACKET_NANOS = 20_000_000L;
  private static final int PACKET_UNITS = 160; // 20 ms at 8 kHz
  private long injectFreeAt;
  private final ByteBuffer injectBuffer = ByteBuffer.allocateDirect(RtpHeader.FIXED_LENGTH + TelephoneEvent.LENGTH);

  /** Whether the peer negotiated telephone-event, i.e. whether digits can be sent to it. */
  public boolean canSendDtmf() {
    return telephoneEvent != null;
  }

  /**
   * Sends one digit to the peer: a start packet (marker set), a continuation every 20 ms with the
   * growing duration, then the end packet three times, all with the event's timestamp. Digits queue
   * behind each other with a 40 ms pause. Runs on the media thread.
   *
   * <p>Each digit is a source of its own for {@link #stream}: it starts at the stream's media time when
   * its first packet goes out, and all its packets keep that timestamp.
   */
  void injectDtmf(MediaReactor reactor, int event, int durationMs, int volume) {
    int totalUnits = Math.max(PACKET_UNITS, durationMs * 8);
    long start = Math.max(System.nanoTime(), injectFreeAt);
    int packets = (totalUnits + PACKET_UNITS - 1) / PACKET_UNITS;
    Object digit = new Object();
    for (int i = 0; i < packets; i++) {
      int duration = Math.min(totalUnits, (i + 1) * PACKET_UNITS);
      int index = i;
      boolean last = i == packets - 1;
      reactor.schedule(start + i * PACKET_NANOS, () -> {
        sendEvent(digit, index, event, false, volume, duration);
        if (last) for (int r = 1; r <= 3; r++) sendEvent(digit, index + r, event, true, volume, totalUnits);
      });
    }
    injectFreeAt = start + packets * PACKET_NANOS + 2 * PACKET_NANOS;
  }

  private void sendEvent(Object digit, int index, int event, boolean end, int volume, int duration) {
    InetSocketAddress to = remote;
    if (to == null || !direction.sends()) return;
    if (!stream.map(digit, 0, index, 0, true, System.nanoTime())) return;
    injectBuffer.clear();
    RtpHeader.writeFixed(injectBuffer, 0, index == 0, telephoneEvent.payloadType(), stream.seq(), stream.timestamp(), stream.ssrc());
    TelephoneEvent.write(injectBuffer, RtpHeader.FIXED_LENGTH, event, end, volume, duration);
    injectBuffer.limit(RtpHeader.FIXED_LENGTH + TelephoneEvent.LENGTH).position(0);
    sendDatagram(injectBuffer, to);
  }


  /** Joins (or, with null, leaves) a mix; set before the mixer lists this port as a party. */
  public void setMixer(Mixer m) {
    if (m != null && mixIn == null) mixIn = new MixBuffer(); // published by the volatile write below
    mixer = m;
  }

  /**
   * Called by the reactor every tick: raises a media timeout once per silent period; the next one
   * comes a whole period later, and packets re-arm it from their arrival.
   */
  void checkTimeout(long now, long timeoutNanos) {
    if (timeoutNanos <= 0 || source != null) return;
    long last = lastReceivedNanos;
    long due = last + timeoutNanos;
    if (nextTimeoutNanos - due > 0) due = nextTimeoutNanos; // raised already in this silence: a period later
    if (now - due >= 0) {
      listener.mediaTimeout(endpointId, (now - last) / 1_000_000);
      nextTimeoutNanos = now + timeoutNanos;
    }
  }

  /** Media of {@code bytes} came in at {@code now}: counted, and the silence that times a peer out ends. */
  private void arrived(int bytes, long now) {
    countIn(bytes);
    LAST_RECEIVED.setRelease(this, now);
  }

  private void countIn(int bytes) {
    PACKETS_IN.setRelease(this, packetsIn + 1);
    BYTES_IN.setRelease(this, bytesIn + bytes);
  }

  private void countOut(int bytes) {
    PACKETS_OUT.setRelease(this, packetsOut + 1);
    BYTES_OUT.setRelease(this, bytesOut + bytes);
  }

  private void drop(DropReason reason) {
    if (reason != DropReason.NONE) dropped.incrementAndGet(reason.ordinal());
  }

  /** Stops a local source's ticks (it failed before playing); the endpoint stays until removed. */
  public void closeSource() {
    closed = true;
  }

  /** Says BYE to the peer, then closes the sockets. */
  void close(ByteBuffer scratch) {
    closed = true;
    if (rtp == null) return; // bridge and source ports have no sockets
    sendReport(System.nanoTime(), scratch, true);
    rtp.close();
    rtcp.close();
  }
}
