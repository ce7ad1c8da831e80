package io.switchboard.media.session;

import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.NodeKey;
import io.switchboard.media.endpoint.EndpointEntity;
import io.switchboard.media.recording.Recorder;
import io.switchboard.media.recording.Recording;
import io.switchboard.media.sdp.Direction;
import io.switchboard.media.sdp.OfferAnswer;
import io.switchboard.media.sdp.RtpMap;
import io.switchboard.media.sdp.SdpException;
import io.switchboard.media.sdp.SessionDescription;
import io.switchboard.media.source.Clip;
import io.switchboard.media.source.ClipLibrary;
import io.switchboard.media.source.FilePlayer;
import io.switchboard.media.source.ToneGenerator;
import io.switchboard.media.source.ToneSpec;
import io.switchboard.media.transport.MediaListener;
import io.switchboard.media.vad.VoiceActivityDetector;
import io.switchboard.media.transport.MediaPort;
import io.switchboard.media.transport.MediaReactor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * The endpoints of one session and how their media is routed. Owned by the {@link CallSession} actor
 * (not thread-safe); it configures the node's {@link MediaReactor} and never touches packets. Each
 * endpoint, once negotiated, is handed to its {@link EndpointEntity}, which reports its news and closes
 * its sockets; this class keeps what spans endpoints (negotiation, capacity, routes, the mix).
 *
 * <p>Routing: every endpoint's packets go to every other endpoint of the session; the media thread
 * applies the directions (a packet is taken only from a peer the endpoint receives from, and sent only
 * to peers it sends to) and converts payload types and G.711 laws per receiver.
 */
final class SessionMedia {

  /** A refusal of an endpoint command, with its protocol code. */
  static final class Refused extends Exception {
    final ErrorCode code;

    Refused(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** One endpoint: before its answer arrives only its ports exist; after, its media port. */
  static final class Endpoint {
    final String id;
    /** rtp, bridge or tone. */
    final String type;
    final Direction requested;
    final MediaReactor.PortPair pair;
    final List<RtpMap> offered;
    MediaPort port;
    String state = "new";
    /** For a bridge endpoint: the session and endpoint of its other half. */
    String partnerSessionId;
    String partnerEndpointId;
    /** While a transfer is under way: the session it left and its place there, to go back to on failure. */
    String leftSession;
    int leftAt;

    Endpoint(String id, String type, Direction requested, MediaReactor.PortPair pair, List<RtpMap> offered) {
      this.id = id;
      this.type = type;
      this.requested = requested;
      this.pair = pair;
      this.offered = offered;
    }

    /** As the protocol states it: a local source sends into the session, whatever its port's internals. */
    String direction() {
      if (type.equals("tone") || type.equals("file")) return "sendonly";
      return (port == null ? requested : port.direction()).attribute();
    }
  }

  /** The two halves of a new bridge: the first joins this session, the second goes to {@code targetSessionId}. */
  Endpoint[] createBridge(String targetSessionId, Direction direction) throws Refused {
    checkCapacity();
    String idA = newId();
    String idB = newId();
    MediaPort[] ports = MediaPort.bridgePair(idA, idB, direction.sends(), direction.receives(), listenerOf(idA), listenerOf(idB));
    Endpoint a = new Endpoint(idA, "bridge", direction, null, List.of());
    Endpoint b = new Endpoint(idB, "bridge", Direction.of(direction.receives(), direction.sends()), null, List.of());
    a.port = ports[0];
    b.port = ports[1];
    a.state = b.state = "connected";
    a.partnerSessionId = targetSessionId;
    a.partnerEndpointId = idB;
    b.partnerSessionId = sessionId;
    b.partnerEndpointId = idA;
    endpoints.put(idA, a);
    entities.apply(idA).tell(new EndpointEntity.Open(sessionId, a.port, a.type, a.state));
    entities.apply(idB).tell(new EndpointEntity.Open(targetSessionId, b.port, b.type, b.state));
    reroute();
    return new Endpoint[] {a, b};
  }

  /**
   * Closes an endpoint this session made for another one that never took it (the far half of a bridge
   * the target refused): its entity was opened by {@link #createBridge} and must not outlive the refusal.
   */
  void discardUnclaimed(Endpoint e) {
    if (e.port != null) {
      e.port.setRoute(MediaPort.Route.NONE);
      entities.apply(e.id).tell(EndpointEntity.Close.INSTANCE);
    } else if (e.pair != null) {
      reactor.release(e.pair);
    }
  }

  /** The bridge partners to tell when this session's endpoints go: endpoint id → partner session id. */
  Map<String, String> bridgePartners() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Endpoint e : endpoints.values()) if (e.partnerSessionId != null) out.put(e.partnerEndpointId, e.partnerSessionId);
    return out;
  }

  /** The partner (endpoint id → session id) of a bridge endpoint, or null for other endpoints. */
  Map.Entry<String, String> partnerOf(String endpointId) {
    Endpoint e = endpoints.get(endpointId);
    return e == null || e.partnerSessionId == null ? null : Map.entry(e.partnerEndpointId, e.partnerSessionId);
  }

  private final String sessionId;
  private final MediaReactor reactor;
  private final Function<String, RecipientRef<EndpointEntity.Command>> entities;
  private final SessionRecordings recordings;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private io.switchboard.media.transport.Mixer mixer;

  SessionMedia(String sessionId, MediaReactor reactor, Recorder recorder,
               Function<String, RecipientRef<EndpointEntity.Command>> entities) {
    this.sessionId = sessionId;
    this.reactor = reactor;
    this.entities = entities;
    this.recordings = new SessionRecordings(recorder);
  }

  /** {@code recording.start}: one endpoint ({@code endpointId}) or, with null, the whole session. */
  Recording startRecording(String endpointId, String filePath, String format, boolean stereo) throws Refused {
    MediaPort leg = null;
    if (endpointId != null) {
      leg = find(endpointId).port;
      if (leg == null) throw new Refused(ErrorCode.ENDPOINT_ERROR, "endpoint " + endpointId + " is waiting for its answer");
      if (leg.isBridge()) throw new Refused(ErrorCode.ENDPOINT_ERROR, "a bridge endpoint has no packets; record the session");
    }
    return recordings.start(endpointId, leg, livePorts(), filePath, format, stereo);
  }

  Recording stopRecording(String recordingId) throws Refused {
    return recordings.stop(recordingId, livePorts().values());
  }

  java.util.Set<String> recordingIds() {
    return recordings.ids();
  }

  void recordingEnded(String recordingId) {
    recordings.ended(recordingId);
  }

  /** Ends every recording of the session (it is ending); each completes its {@link Recording#ended()}. */
  void stopAllRecordings(String reason) {
    recordings.stopAll(livePorts().values(), reason);
  }

  private Map<String, MediaPort> livePorts() {
    Map<String, MediaPort> out = new LinkedHashMap<>();
    for (Endpoint e : endpoints.values()) if (e.port != null) out.put(e.id, e.port);
    return out;
  }

  private MediaListener listenerOf(String endpointId) {
    return EndpointEntity.listener(entities.apply(endpointId));
  }

  /** Starts the endpoint's media and hands it to its entity. */
  private void activate(Endpoint e, OfferAnswer.Negotiated n) {
    e.port = reactor.activate(e.id, e.pair, n, listenerOf(e.id));
    entities.apply(e.id).tell(new EndpointEntity.Open(sessionId, e.port, e.type, e.state));
    recordings.endpointLive(e.id, e.port);
  }

  /**
   * {@code endpoint.create_with_file}: a local source playing {@code source} once it is fetched and
   * decoded (state buffering until then); returns the endpoint id, {@code loaded} runs when the clip is
   * ready or has failed.
   */
  String createFile(ClipLibrary.Source source, FilePlayer player, java.util.function.Supplier<CompletableFuture<Clip>> load)
      throws Refused {
    checkCapacity();
    CompletableFuture<Clip> clip = load.get();
    String id = newId();
    Endpoint e = new Endpoint(id, "file", Direction.SENDONLY, null, List.of());
    e.state = "buffering";
    e.port = reactor.newSource(id, player, listenerOf(id));
    RecipientRef<EndpointEntity.Command> entity = entities.apply(id);
    entity.tell(new EndpointEntity.Open(sessionId, e.port, e.type, e.state));
    recordings.endpointLive(id, e.port);
    endpoints.put(id, e);
    reroute();
    reactor.play(e.port);
    clip.whenComplete((decoded, failure) -> {
      if (decoded != null) {
        player.start(decoded);
        entity.tell(EndpointEntity.Loaded.INSTANCE);
      } else {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String why = cause instanceof java.util.concurrent.TimeoutException ? "timed out fetching " + source.key()
            : cause.getMessage() != null ? cause.getMessage() : cause.toString();
        entity.tell(new EndpointEntity.LoadFailed(why));
      }
    });
    return id;
  }

  /** {@code vad.start}: detection on what the peer of an RTP endpoint sends (starting again restarts it). */
  void startVad(String endpointId, long silenceIntervalMs, double speechThreshold) throws Refused {
    MediaPort port = rtpPort(endpointId);
    MediaListener news = listenerOf(endpointId);
    port.setVad(new VoiceActivityDetector(silenceIntervalMs, speechThreshold, new VoiceActivityDetector.Listener() {
      public void speechStarted() {
        news.speechStarted(endpointId);
      }

      public void silence(long silenceMs) {
        news.silence(endpointId, silenceMs);
      }
    }));
  }

  void stopVad(String endpointId) throws Refused {
    rtpPort(endpointId).setVad(null);
  }

  private MediaPort rtpPort(String endpointId) throws Refused {
    Endpoint e = find(endpointId);
    if (!e.type.equals("rtp")) throw new Refused(ErrorCode.ENDPOINT_ERROR, "voice activity detection needs an RTP endpoint, not " + e.type);
    if (e.port == null) throw new Refused(ErrorCode.ENDPOINT_ERROR, "endpoint " + endpointId + " is waiting for its answer");
    return e.port;
  }

  /** The entity of a file endpoint of this session, for pause, resume and seek. */
  RecipientRef<EndpointEntity.Command> fileEndpoint(String endpointId) throws Refused {
    Endpoint e = find(endpointId);
    if (!e.type.equals("file")) throw new Refused(ErrorCode.ENDPOINT_ERROR, "endpoint " + endpointId + " is not a file endpoint");
    return entities.apply(endpointId);
  }

  /** {@code endpoint.create_tone}: a local source playing {@code spec} into the session. */
  String createTone(ToneSpec spec) throws Refused {
    checkCapacity();
    String id = newId();
    Endpoint e = new Endpoint(id, "tone", Direction.SENDONLY, null, List.of());
    e.state = "playing";
    e.port = reactor.newSource(id, new ToneGenerator(spec), listenerOf(id));
    entities.apply(id).tell(new EndpointEntity.Open(sessionId, e.port, e.type, e.state));
    recordings.endpointLive(id, e.port);
    endpoints.put(id, e);
    reroute();
    reactor.play(e.port);
    return id;
  }

  int size() {
    return endpoints.size();
  }

  record Created(String endpointId, String sdp) {}

  Created createFromOffer(String offerSdp, Direction direction) throws Refused {
    checkCapacity();
    MediaReactor.PortPair pair = allocate();
    String id = newId();
    try {
      OfferAnswer.Answered answered = OfferAnswer.answer(offerSdp, direction, local(pair));
      OfferAnswer.Negotiated n = answered.negotiated();
      Endpoint e = new Endpoint(id, "rtp", direction, pair, List.of());
      activate(e, n);
      endpoints.put(id, e);
      reroute();
      return new Created(id, answered.sdp());
    } catch (SdpException bad) {
      reactor.release(pair);
      throw new Refused(ErrorCode.ENDPOINT_ERROR, "cannot answer the offer: " + bad.getMessage());
    }
  }

  Created createOffer(Direction direction, List<String> codecs) throws Refused {
    checkCapacity();
    MediaReactor.PortPair pair = allocate();
    try {
      String sdp = OfferAnswer.offer(codecs, direction, local(pair));
      List<RtpMap> offered = SessionDescription.parse(sdp).audio().rtpMaps();
      String id = newId();
      endpoints.put(id, new Endpoint(id, "rtp", direction, pair, offered));
      return new Created(id, sdp);
    } catch (SdpException bad) {
      reactor.release(pair);
      throw new Refused(ErrorCode.INVALID_PARAMS, bad.getMessage());
    }
  }

  void acceptAnswer(String endpointId, String answerSdp) throws Refused {
    Endpoint e = find(endpointId);
    if (e.port != null) throw new Refused(ErrorCode.ENDPOINT_ERROR, "endpoint " + endpointId + " is not waiting for an answer");
    try {
      OfferAnswer.Negotiated n = OfferAnswer.acceptAnswer(answerSdp, e.offered, e.requested);
      // packets are sent and accepted in the answerer's payload types (the same static types for G.711)
      activate(e, n);
      reroute();
    } catch (SdpException bad) {
      throw new Refused(ErrorCode.ENDPOINT_ERROR, "cannot accept the answer: " + bad.getMessage());
    }
  }

  void injectDtmf(String endpointId, String digit, int durationMs, int volume) throws Refused {
    Endpoint e = find(endpointId);
    int event = digit.length() == 1 ? io.switchboard.media.rtp.TelephoneEvent.eventOf(digit.charAt(0)) : -1;
    if (event < 0) throw new Refused(ErrorCode.INVALID_PARAMS, "\"digit\" must be one of 0-9 * # A-D, not " + digit);
    if (e.port == null) throw new Refused(ErrorCode.ENDPOINT_ERROR, "endpoint " + endpointId + " is waiting for its answer");
    if (!e.port.canSendDtmf()) {
      throw new Refused(ErrorCode.ENDPOINT_ERROR, "the peer of endpoint " + endpointId + " did not negotiate telephone-event");
    }
    reactor.injectDtmf(e.port, event, durationMs, volume);
  }

  /** Takes an endpoint out of this session without touching its sockets (the first half of a transfer). */
  Endpoint detach(String endpointId) throws Refused {
    if (find(endpointId).partnerSessionId != null) {
      throw new Refused(ErrorCode.ENDPOINT_ERROR, "bridge endpoints cannot be transferred; remove the bridge and bridge again");
    }
    Endpoint e = endpoints.get(endpointId);
    e.leftSession = sessionId;
    e.leftAt = new ArrayList<>(endpoints.keySet()).indexOf(endpointId);
    endpoints.remove(endpointId);
    if (e.port != null) e.port.setRoute(MediaPort.Route.NONE);
    recordings.endpointGone(e.id, e.port, "endpoint_transferred");
    reroute();
    return e;
  }

  /**
   * Takes in an endpoint detached from another session of this node; its peer sees no change. An
   * endpoint coming back after a failed transfer takes its old place (session.info's order is
   * unchanged) and is never refused: its place was its own.
   */
  void adopt(Endpoint e) throws Refused {
    boolean returning = sessionId.equals(e.leftSession);
    if (!returning) checkCapacity();
    e.leftSession = null;
    if (returning && e.leftAt < endpoints.size()) {
      List<Endpoint> order = new ArrayList<>(endpoints.values());
      order.add(e.leftAt, e);
      endpoints.clear();
      for (Endpoint x : order) endpoints.put(x.id, x);
    } else {
      endpoints.put(e.id, e);
    }
    if (e.port != null) {
      entities.apply(e.id).tell(new EndpointEntity.MoveTo(sessionId));
      recordings.endpointLive(e.id, e.port);
    }
    reroute();
  }

  /** How {@code endpoint.transferred_in} describes an endpoint. */
  static EndpointSummary describe(Endpoint e) {
    return new EndpointSummary(e.id, e.type, e.direction(), e.state,
        null, null, null);
  }

  void remove(String endpointId) throws Refused {
    close(endpoints.remove(find(endpointId).id));
    reroute();
  }

  void removeAll() {
    recordings.stopAll(livePorts().values(), "session_ended");
    endpoints.values().forEach(this::close);
    endpoints.clear();
    if (mixer != null) mixer.stop();
  }

  /** Records a state its entity reported, for {@code session.info} and statistics. */
  void stateChanged(String endpointId, String state) {
    Endpoint e = endpoints.get(endpointId);
    if (e != null) e.state = state;
  }

  boolean has(String endpointId) {
    return endpoints.containsKey(endpointId);
  }

  /** The most recent packet arrival of any endpoint (System.nanoTime), or Long.MIN_VALUE without endpoints. */
  long lastMediaNanos() {
    long last = Long.MIN_VALUE;
    for (Endpoint e : endpoints.values()) {
      if (e.port != null && e.port.packetsIn() > 0) last = Math.max(last, e.port.lastReceivedNanos());
    }
    return last;
  }

  List<EndpointSummary> summaries() {
    List<EndpointSummary> out = new ArrayList<>(endpoints.size());
    String localIp = reactor.settings().advertisedIp();
    for (Endpoint e : endpoints.values()) {
      MediaPort p = e.port;
      if (!e.type.equals("rtp")) {
        out.add(new EndpointSummary(e.id, e.type, e.direction(), e.state, null, null, null));
        continue;
      }
      InetSocketAddress remote = p == null ? null : p.remote();
      out.add(new EndpointSummary(e.id, e.type, e.direction(), e.state,
          p == null ? null : p.codec().encoding() + "/" + p.codec().clockRate(),
          localIp + ":" + e.pair.rtpPort(),
          remote == null ? null : remote.getAddress().getHostAddress() + ":" + remote.getPort()));
    }
    return out;
  }

  List<EndpointStats> stats() {
    List<EndpointStats> out = new ArrayList<>(endpoints.size());
    long now = System.nanoTime();
    for (Endpoint e : endpoints.values()) {
      MediaPort p = e.port;
      if (p == null) {
        out.add(new EndpointStats(e.id, new EndpointStats.Inbound(0, 0, 0, 0, null, 0), new EndpointStats.Outbound(0, 0),
            null, null, e.state));
        continue;
      }
      Long ago = p.packetsIn() == 0 ? null : (now - p.lastReceivedNanos()) / 1_000_000;
      out.add(new EndpointStats(e.id,
          new EndpointStats.Inbound(p.packetsIn(), p.bytesIn(), p.packetsLost(), Math.round(p.jitterMs() * 100) / 100.0, ago,
              p.droppedTotal()),
          new EndpointStats.Outbound(p.packetsOut(), p.bytesOut()),
          Double.isNaN(p.rttMs()) ? null : Math.round(p.rttMs() * 100) / 100.0,
          p.codec() == null ? null : p.codec().encoding() + "/" + p.codec().clockRate(), e.state));
    }
    return out;
  }

  /**
   * Rebuilds every endpoint's route (all other endpoints), and switches audio between pass-through
   * (two parties) and the mix (three or more, bridges and local sources counted): telephone-events
   * always use the route.
   */
  private void reroute() {
    List<MediaPort> live = new ArrayList<>();
    for (Endpoint e : endpoints.values()) if (e.port != null) live.add(e.port);
    // every audio party counts: two peers and a bridge (or a tone) are three voices, so they are mixed
    MediaPort[] parties = live.toArray(MediaPort[]::new);
    if (parties.length >= 3) {
      if (mixer == null) mixer = reactor.newMixer();
    } else if (mixer != null) {
      mixer.stop();
      mixer = null;
    }
    for (MediaPort p : parties) p.setMixer(mixer);
    if (mixer != null) mixer.setParties(parties);
    for (MediaPort source : live) {
      MediaPort[] targets = live.stream().filter(t -> t != source).toArray(MediaPort[]::new);
      source.setRoute(new MediaPort.Route(targets));
    }
  }

  private void close(Endpoint e) {
    recordings.endpointGone(e.id, e.port, "endpoint_removed");
    if (e.port != null) {
      e.port.setRoute(MediaPort.Route.NONE); // a bridge half must stop forwarding at once
      entities.apply(e.id).tell(EndpointEntity.Close.INSTANCE);
    } else if (e.pair != null) {
      reactor.release(e.pair);
    }
  }

  private Endpoint find(String endpointId) throws Refused {
    Endpoint e = endpointId == null ? null : endpoints.get(endpointId);
    if (e == null) throw new Refused(ErrorCode.ENDPOINT_ERROR, "no endpoint " + endpointId + " in this session");
    return e;
  }

  private void checkCapacity() throws Refused {
    int max = reactor.settings().maxEndpoints();
    if (endpoints.size() >= max) throw new Refused(ErrorCode.ENDPOINT_ERROR, "session holds its maximum of " + max + " endpoints");
  }

  private MediaReactor.PortPair allocate() throws Refused {
    try {
      return reactor.allocate();
    } catch (IOException e) {
      throw new Refused(ErrorCode.ENDPOINT_ERROR, e.getMessage());
    }
  }

  private OfferAnswer.Local local(MediaReactor.PortPair pair) {
    return new OfferAnswer.Local(reactor.settings().advertisedIp(), pair.rtpPort(), pair.rtpPort() + 1,
        ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
  }

  private String newId() {
    return NodeKey.newEntityId(NodeKey.shardOf(sessionId));
  }
}
