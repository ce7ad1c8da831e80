package io.switchboard.media.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.switchboard.media.cluster.CborSerializable;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.NodeKey;
import io.switchboard.media.cluster.NodeKeyMessageExtractor;
import io.switchboard.media.cluster.NodePinnedAllocationStrategy;
import io.switchboard.media.cluster.Refusal;
import io.switchboard.media.endpoint.EndpointEntity;
import io.switchboard.media.recording.Recorder;
import io.switchboard.media.recording.Recording;
import io.switchboard.media.sdp.Direction;
import io.switchboard.media.source.ClipLibrary;
import io.switchboard.media.source.FilePlayer;
import io.switchboard.media.source.ToneSpec;
import io.switchboard.media.transport.MediaReactor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * A session: the unit a controller drives, holding (from the media issues on) its endpoints.
 *
 * <p>Ownership and lifecycle: a Cluster Sharding entity whose id is {@code <nodeKey>-<uuid>}; the
 * {@link NodePinnedAllocationStrategy} keeps it on the node named by the key for its whole life. It
 * starts in {@link #awaitingCreate()} and becomes {@link #controlled} (a connection is bound and
 * watched) or {@link #orphaned} (nobody is bound; it dies after {@code disconnect-timeout} unless a
 * connection attaches). Any other first message means the session does not exist: the entity answers
 * SESSION_NOT_FOUND and stops, so probing ids leaves nothing behind.
 *
 * <p>Nothing survives a crash or the loss of the node: the state is in memory only, and sessions are
 * never rebalanced. Passivation is off; the session ends only by destroy, timeout or node shutdown.
 */
public final class CallSession {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "CallSession");
  public static final String ROLE = "media";

  public sealed interface Command extends CborSerializable {}

  /** Create the session. {@code controller} is null for sessions started over HTTP (born orphaned). */
  public record Create(SessionSpec spec, ActorRef<SessionEvent> controller, ActorRef<StatusReply<Created>> replyTo)
      implements Command {}

  /** @param customData any JSON the creator attached; JSON null when none */
  public record SessionSpec(String app, JsonNode customData, String accessSecret) implements CborSerializable {
    public SessionSpec {
      customData = customData == null ? NullNode.getInstance() : customData;
    }
  }

  public record Created(String sessionId) implements CborSerializable {}

  /** Bind an orphaned session to the caller's connection, replaying events after {@code lastSeq} (-1: none). */
  public record Attach(Caller caller, long lastSeq, ActorRef<StatusReply<Attached>> replyTo) implements Command {}

  /** @param missed events after last_seq that had already left the replay buffer */
  public record Attached(String sessionId, List<SessionEvent> replay, long missed) implements CborSerializable {
    public Attached {
      replay = List.copyOf(replay);
    }
  }

  public record Destroy(Caller caller, String reason, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record GetInfo(Caller caller, ActorRef<StatusReply<SessionSummary>> replyTo) implements Command {}

  /** A request to the session's media_session_access_url; answered by the controller or by default. */
  public record HandleHttpRequest(
      String secret, String method, String path, Map<String, String> headers, String content,
      ActorRef<StatusReply<HttpAnswer>> replyTo) implements Command {
    public HandleHttpRequest {
      headers = Map.copyOf(headers);
    }
  }

  /** @param fromController false when the default reply was sent because the controller did not answer */
  public record HttpAnswer(int status, Map<String, String> headers, String body, boolean fromController)
      implements CborSerializable {
    public HttpAnswer {
      headers = Map.copyOf(headers);
    }
  }

  public record RespondHttp(
      Caller caller, String requestId, int status, Map<String, String> headers, String body,
      ActorRef<StatusReply<Done>> replyTo) implements Command {
    public RespondHttp {
      headers = Map.copyOf(headers);
    }
  }

  /** {@code endpoint.create_from_offer}: answer a peer's SDP offer with a new RTP endpoint. */
  public record CreateEndpointFromOffer(Caller caller, String sdp, String direction,
                                        ActorRef<StatusReply<EndpointCreated>> replyTo) implements Command {}

  /** {@code endpoint.create_offer}: a new RTP endpoint that offers; {@code codecs} null means all supported. */
  public record CreateEndpointOffer(Caller caller, String direction, List<String> codecs,
                                    ActorRef<StatusReply<EndpointCreated>> replyTo) implements Command {
    public CreateEndpointOffer {
      codecs = codecs == null ? null : List.copyOf(codecs);
    }
  }

  /** {@code endpoint.create_tone}: a local source playing a call-progress tone or a sine into the session. */
  public record CreateTone(Caller caller, String tone, Double frequency, Long durationMs, String country,
                           ActorRef<StatusReply<EndpointCreated>> replyTo) implements Command {}

  /**
   * {@code endpoint.create_with_file}.
   *
   * @param loopCount plays after the first; null: for ever
   */
  public record CreateWithFile(Caller caller, String source, long startMs, Integer loopCount, long cacheTtlSecs,
                               boolean shared, long timeoutMs, ActorRef<StatusReply<EndpointCreated>> replyTo)
      implements Command {}

  /** {@code endpoint.file.pause|resume|seek}: {@code action} is pause, resume or seek. */
  public record FileControl(Caller caller, String endpointId, String action, long positionMs,
                            ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code vad.start}; {@code vad.stop} is {@link StopVad}. */
  public record StartVad(Caller caller, String endpointId, long silenceIntervalMs, double speechThreshold,
                         ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record StopVad(Caller caller, String endpointId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code recording.start}: {@code endpointId} null records the whole session. */
  public record StartRecording(Caller caller, String endpointId, String filePath, String format, boolean stereo,
                               ActorRef<StatusReply<RecordingStarted>> replyTo) implements Command {}

  public record RecordingStarted(String recordingId) implements CborSerializable {}

  /** {@code recording.stop}: answered once the file is final. */
  public record StopRecording(Caller caller, String recordingId, ActorRef<StatusReply<RecordingStopped>> replyTo)
      implements Command {}

  public record RecordingStopped(String filePath, long durationMs, long packets, long droppedPackets) implements CborSerializable {}

  /** A recording's file is final, whatever ended it. */
  private record RecordingEnded(Recording.Result result) implements Command {}

  private enum ClosingTimeout implements Command { INSTANCE }

  /** @param sdp the answer (for create_from_offer), the offer (for create_offer), null for local sources */
  public record EndpointCreated(String endpointId, String sdp) implements CborSerializable {}

  public record AcceptAnswer(Caller caller, String endpointId, String sdp, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  public record RemoveEndpoint(Caller caller, String endpointId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code endpoint.transfer}: move an endpoint to another session of this node; its peer sees no change. */
  public record TransferEndpoint(Caller caller, String endpointId, String targetSessionId,
                                 ActorRef<StatusReply<Transferred>> replyTo) implements Command {}

  public record Transferred(String endpointId, String targetSessionId) implements CborSerializable {}

  /** From the source session of a transfer: take the endpoint left at the {@link TransferDesk} under {@code token}. */
  public record AdoptEndpoint(String token, String sourceSessionId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code session.bridge}: a pair of bridge endpoints carrying audio between this session and another of this node. */
  public record BridgeSessions(Caller caller, String targetSessionId, String direction,
                               ActorRef<StatusReply<Bridged>> replyTo) implements Command {}

  public record Bridged(String endpointId, String targetEndpointId) implements CborSerializable {}

  /** From the other session of a bridge: its half was removed, so this half goes too. */
  public record RemoveBridgePartner(String endpointId) implements Command {}

  /** {@code endpoint.dtmf.inject}: send an RFC 4733 digit to the endpoint's peer. */
  public record InjectDtmf(Caller caller, String endpointId, String digit, int durationMs, int volume,
                           ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** {@code stats.subscribe}: a {@code stats} event every {@code intervalMs}; again replaces the interval. */
  public record SubscribeStats(Caller caller, long intervalMs, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record UnsubscribeStats(Caller caller, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Sharding's stop message: the node is leaving, so the session ends and says so. */
  public enum Shutdown implements Command { INSTANCE }

  private enum OrphanTimeout implements Command { INSTANCE }

  private enum IdleCheck implements Command { INSTANCE }

  private enum EmptyTimeout implements Command { INSTANCE }

  private enum StatsTick implements Command { INSTANCE }

  private record TransferOutcome(String token, String endpointId, String targetSessionId, Throwable failure,
                                 ActorRef<StatusReply<Transferred>> replyTo) implements Command {}

  private record BridgeOutcome(String token, String endpointId, String targetEndpointId, Throwable failure,
                               ActorRef<StatusReply<Bridged>> replyTo) implements Command {}

  private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CLOSING_TIMEOUT = Duration.ofSeconds(3);

  private record HttpTimeout(String requestId) implements Command {}

  /** News of one of this session's endpoints, from its {@link EndpointEntity} (rare events, never per packet). */
  public record EndpointNews(String endpointId, EventPayload event) implements Command, CborSerializable {}

  public static void init(org.apache.pekko.actor.typed.ActorSystem<?> system, SessionSettings settings) {
    EndpointEntity.init(system, ROLE);
    ClusterSharding.get(system).init(
        Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), settings))
            .withRole(ROLE)
            .withStopMessage(Shutdown.INSTANCE)
            .withAllocationStrategy(new NodePinnedAllocationStrategy())
            .withSettings(ClusterShardingSettings.create(system).withRole(ROLE).withNoPassivationStrategy())
            .withMessageExtractor(new NodeKeyMessageExtractor<>()));
  }

  public static Behavior<Command> create(String sessionId, SessionSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new CallSession(sessionId, settings, ctx, timers).awaitingCreate()));
  }

  private final String sessionId;
  private final SessionSettings settings;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final SessionDirectory directory;
  private final EventLog log;
  private final Map<String, ActorRef<StatusReply<HttpAnswer>>> pendingHttp = new HashMap<>(0);
  private final SessionMedia media;
  private SessionSpec spec;
  private long createdAtMs;
  private long lastActivityNanos;

  private CallSession(String sessionId, SessionSettings settings, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.sessionId = sessionId;
    this.settings = settings;
    this.ctx = ctx;
    this.timers = timers;
    this.directory = SessionDirectory.get(ctx.getSystem());
    this.log = new EventLog(settings.eventBuffer());
    ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
    this.media = new SessionMedia(sessionId, MediaReactor.get(ctx.getSystem()), Recorder.get(ctx.getSystem()),
        id -> sharding.entityRefFor(EndpointEntity.TYPE_KEY, id));
  }

  // ---- state: not yet created ------------------------------------------------------------------

  private Behavior<Command> awaitingCreate() {
    return Behaviors.receive(Command.class)
        .onMessage(Create.class, this::onCreate)
        .onMessage(Attach.class, m -> notFound(m.replyTo()))
        .onMessage(Destroy.class, m -> notFound(m.replyTo()))
        .onMessage(GetInfo.class, m -> notFound(m.replyTo()))
        .onMessage(HandleHttpRequest.class, m -> notFound(m.replyTo()))
        .onMessage(RespondHttp.class, m -> notFound(m.replyTo()))
        .onMessage(CreateEndpointFromOffer.class, m -> notFound(m.replyTo()))
        .onMessage(CreateEndpointOffer.class, m -> notFound(m.replyTo()))
        .onMessage(CreateTone.class, m -> notFound(m.replyTo()))
        .onMessage(CreateWithFile.class, m -> notFound(m.replyTo()))
        .onMessage(StartVad.class, m -> notFound(m.replyTo()))
        .onMessage(StopVad.class, m -> notFound(m.replyTo()))
        .onMessage(FileControl.class, m -> notFound(m.replyTo()))
        .onMessage(StartRecording.class, m -> notFound(m.replyTo()))
        .onMessage(StopRecording.class, m -> notFound(m.replyTo()))
        .onMessage(AcceptAnswer.class, m -> notFound(m.replyTo()))
        .onMessage(RemoveEndpoint.class, m -> notFound(m.replyTo()))
        .onMessage(SubscribeStats.class, m -> notFound(m.replyTo()))
        .onMessage(InjectDtmf.class, m -> notFound(m.replyTo()))
        .onMessage(TransferEndpoint.class, m -> notFound(m.replyTo()))
        .onMessage(AdoptEndpoint.class, m -> notFound(m.replyTo()))
        .onMessage(BridgeSessions.class, m -> notFound(m.replyTo()))
        .onMessage(UnsubscribeStats.class, m -> notFound(m.replyTo()))
        .onAnyMessage(m -> Behaviors.stopped())
        .build();
  }

  private <T> Behavior<Command> notFound(ActorRef<StatusReply<T>> replyTo) {
    replyTo.tell(Refusal.reply(ErrorCode.SESSION_NOT_FOUND, "no session " + sessionId));
    return Behaviors.stopped();
  }

  private Behavior<Command> onCreate(Create cmd) {
    if (directory.draining()) {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.SHUTTING_DOWN, "this node is shutting down"));
      return Behaviors.stopped();
    }
    spec = cmd.spec();
    createdAtMs = System.currentTimeMillis();
    if (!directory.tryAdmit(summary(cmd.controller() != null), settings.maxSessions())) {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.MAX_SESSIONS_REACHED,
          "node holds its maximum of " + settings.maxSessions() + " sessions"));
      return Behaviors.stopped();
    }
    touch();
    if (!settings.idleTimeout().isZero()) timers.startSingleTimer(IdleCheck.INSTANCE, settings.idleTimeout());
    if (!settings.emptyTimeout().isZero()) timers.startSingleTimer(EmptyTimeout.INSTANCE, settings.emptyTimeout());
    cmd.replyTo().tell(StatusReply.success(new Created(sessionId)));
    if (cmd.controller() != null) {
      ctx.watch(cmd.controller());
      emit(cmd.controller(), new EventPayload.AppStarted(sessionId, spec.app(), spec.customData()));
      return controlled(cmd.controller());
    }
    emit(null, new EventPayload.AppStarted(sessionId, spec.app(), spec.customData()));
    return becomeOrphaned();
  }

  // ---- state: a connection controls the session ------------------------------------------------

  private Behavior<Command> controlled(ActorRef<SessionEvent> controller) {
    return live(controller)
        .onMessage(Attach.class, m -> onAttachWhileControlled(m, controller))
        .onSignal(Terminated.class, t -> t.getRef().equals(controller) ? onControllerLost() : Behaviors.same())
        .build();
  }

  private Behavior<Command> onAttachWhileControlled(Attach cmd, ActorRef<SessionEvent> controller) {
    if (!cmd.caller().mayAccess(spec.app())) return refuseNotFound(cmd.replyTo());
    if (controller.equals(cmd.caller().connection())) {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.SESSION_ALREADY_BOUND, "this connection already controls session " + sessionId));
    } else {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.SESSION_NOT_ORPHANED, "session " + sessionId + " is controlled by another connection"));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onControllerLost() {
    emit(null, new EventPayload.SessionOrphaned(settings.disconnectTimeout().toMillis()));
    return becomeOrphaned();
  }

  // ---- state: nobody controls the session ------------------------------------------------------

  private Behavior<Command> becomeOrphaned() {
    timers.startSingleTimer(OrphanTimeout.INSTANCE, settings.disconnectTimeout());
    directory.update(summary(false));
    return orphaned();
  }

  private Behavior<Command> orphaned() {
    return live(null)
        .onMessage(Attach.class, this::onAttachWhileOrphaned)
        .onMessage(OrphanTimeout.class, m -> terminate(null, "disconnect_timeout", null))
        .build();
  }

  private Behavior<Command> onAttachWhileOrphaned(Attach cmd) {
    ActorRef<SessionEvent> connection = cmd.caller().connection();
    if (connection == null || !cmd.caller().mayAccess(spec.app())) return refuseNotFound(cmd.replyTo());
    touch();
    timers.cancel(OrphanTimeout.INSTANCE);
    ctx.watch(connection);
    EventLog.Replay replay = cmd.lastSeq() < 0 ? new EventLog.Replay(List.of(), 0) : log.after(cmd.lastSeq());
    cmd.replyTo().tell(StatusReply.success(new Attached(sessionId, replay.events(), replay.missed())));
    directory.update(summary(true));
    return controlled(connection);
  }

  // ---- handlers shared by both live states ------------------------------------------------------

  private BehaviorBuilder<Command> live(ActorRef<SessionEvent> controller) {
    return Behaviors.receive(Command.class)
        .onMessage(Create.class, m -> onDuplicateCreate(m))
        .onMessage(Destroy.class, m -> onDestroy(m, controller))
        .onMessage(GetInfo.class, m -> onGetInfo(m, controller))
        .onMessage(HandleHttpRequest.class, m -> onHttpRequest(m, controller))
        .onMessage(RespondHttp.class, m -> onRespondHttp(m, controller))
        .onMessage(HttpTimeout.class, this::onHttpTimeout)
        .onMessage(IdleCheck.class, m -> onIdleCheck(controller))
        .onMessage(EmptyTimeout.class, m -> onEmptyTimeout(controller))
        .onMessage(CreateEndpointFromOffer.class, m -> onCreateFromOffer(m, controller))
        .onMessage(CreateEndpointOffer.class, m -> onCreateOffer(m, controller))
        .onMessage(CreateTone.class, m -> onCreateTone(m, controller))
        .onMessage(CreateWithFile.class, m -> onCreateWithFile(m, controller))
        .onMessage(StartVad.class, m -> onMediaCommand(m.caller(), controller, m.replyTo(), () -> {
          media.startVad(m.endpointId(), m.silenceIntervalMs(), m.speechThreshold());
          return Done.getInstance();
        }))
        .onMessage(StopVad.class, m -> onMediaCommand(m.caller(), controller, m.replyTo(), () -> {
          media.stopVad(m.endpointId());
          return Done.getInstance();
        }))
        .onMessage(FileControl.class, m -> onFileControl(m, controller))
        .onMessage(StartRecording.class, m -> onStartRecording(m, controller))
        .onMessage(StopRecording.class, m -> onStopRecording(m, controller))
        .onMessage(RecordingEnded.class, m -> onRecordingEnded(m, controller))
        .onMessage(AcceptAnswer.class, m -> onAcceptAnswer(m, controller))
        .onMessage(RemoveEndpoint.class, m -> onRemoveEndpoint(m, controller))
        .onMessage(EndpointNews.class, m -> onEndpointNews(m, controller))
        .onMessage(SubscribeStats.class, m -> onSubscribeStats(m, controller))
        .onMessage(InjectDtmf.class, m -> onInjectDtmf(m, controller))
        .onMessage(TransferEndpoint.class, m -> onTransfer(m, controller))
        .onMessage(TransferOutcome.class, m -> onTransferOutcome(m, controller))
        .onMessage(AdoptEndpoint.class, m -> onAdopt(m, controller))
        .onMessage(BridgeSessions.class, m -> onBridge(m, controller))
        .onMessage(BridgeOutcome.class, m -> onBridgeOutcome(m, controller))
        .onMessage(RemoveBridgePartner.class, m -> onRemoveBridgePartner(m, controller))
        .onMessage(UnsubscribeStats.class, m -> onUnsubscribeStats(m, controller))
        .onMessage(StatsTick.class, m -> {
          emit(controller, new EventPayload.Stats(sessionId, media.stats()));
          return Behaviors.same();
        })
        .onMessage(Shutdown.class, m -> terminate(controller, "node_shutdown", null))
        .onSignal(PostStop.class, s -> onPostStop());
  }

  private Behavior<Command> onDuplicateCreate(Create cmd) {
    cmd.replyTo().tell(Refusal.reply(ErrorCode.INVALID_REQUEST, "session " + sessionId + " already exists"));
    return Behaviors.same();
  }

  private Behavior<Command> onDestroy(Destroy cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    return terminate(controller, cmd.reason(), cmd.replyTo());
  }

  private Behavior<Command> onGetInfo(GetInfo cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    if (cmd.caller().connection() != null) touch();
    cmd.replyTo().tell(StatusReply.success(summary(controller != null, true)));
    return Behaviors.same();
  }

  private Behavior<Command> onHttpRequest(HandleHttpRequest cmd, ActorRef<SessionEvent> controller) {
    if (!secretMatches(cmd.secret())) return refuseNotFound(cmd.replyTo());
    if (pendingHttp.size() >= settings.maxPendingHttpRequests()) {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.INVALID_REQUEST,
          "session has " + pendingHttp.size() + " unanswered requests already"));
      return Behaviors.same();
    }
    touch();
    String requestId = UUID.randomUUID().toString();
    pendingHttp.put(requestId, cmd.replyTo());
    timers.startSingleTimer(new HttpTimeout(requestId), settings.httpResponseTimeout());
    emit(controller, new EventPayload.AppHttpRequest(requestId, cmd.method(), cmd.path(), cmd.headers(), cmd.content()));
    return Behaviors.same();
  }

  private Behavior<Command> onRespondHttp(RespondHttp cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    ActorRef<StatusReply<HttpAnswer>> waiting = pendingHttp.remove(cmd.requestId());
    if (waiting == null) {
      cmd.replyTo().tell(Refusal.reply(ErrorCode.INVALID_PARAMS,
          "request_id " + cmd.requestId() + " is unknown or was already answered"));
      return Behaviors.same();
    }
    timers.cancel(new HttpTimeout(cmd.requestId()));
    waiting.tell(StatusReply.success(new HttpAnswer(cmd.status(), cmd.headers(), cmd.body(), true)));
    cmd.replyTo().tell(StatusReply.success(Done.getInstance()));
    return Behaviors.same();
  }

  private Behavior<Command> onHttpTimeout(HttpTimeout timeout) {
    ActorRef<StatusReply<HttpAnswer>> waiting = pendingHttp.remove(timeout.requestId());
    if (waiting != null) waiting.tell(StatusReply.success(defaultHttpAnswer(timeout.requestId())));
    return Behaviors.same();
  }

  private HttpAnswer defaultHttpAnswer(String requestId) {
    return new HttpAnswer(202, Map.of("Content-Type", "application/json"),
        "{\"session_id\":\"" + sessionId + "\",\"request_id\":\"" + requestId + "\"}", false);
  }

  // ---- endpoints ------------------------------------------------------------------------------------

  /** An endpoint command: the media work, whose result is the reply, or a refusal with its code. */
  private interface MediaWork<T> {
    T run() throws SessionMedia.Refused;
  }

  /** The shared frame of endpoint commands: authorise, count as activity, run, keep the directory current, reply. */
  private <T> Behavior<Command> onMediaCommand(Caller caller, ActorRef<SessionEvent> controller,
                                               ActorRef<StatusReply<T>> replyTo, MediaWork<T> work) {
    if (!authorised(caller, controller)) return refuseNotFound(replyTo);
    touch();
    try {
      T result = work.run();
      endpointsChanged(controller != null);
      replyTo.tell(StatusReply.success(result));
    } catch (SessionMedia.Refused r) {
      replyTo.tell(Refusal.reply(r.code, r.getMessage()));
    }
    return Behaviors.same();
  }

  private static Direction direction(String given) throws SessionMedia.Refused {
    Direction d = Direction.parse(given);
    if (d == null) throw new SessionMedia.Refused(ErrorCode.INVALID_PARAMS, badDirection(given));
    return d;
  }

  private Behavior<Command> onCreateFromOffer(CreateEndpointFromOffer cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      SessionMedia.Created created = media.createFromOffer(cmd.sdp(), direction(cmd.direction()));
      return new EndpointCreated(created.endpointId(), created.sdp());
    });
  }

  private Behavior<Command> onCreateOffer(CreateEndpointOffer cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      SessionMedia.Created created = media.createOffer(direction(cmd.direction()), cmd.codecs());
      return new EndpointCreated(created.endpointId(), created.sdp());
    });
  }

  private Behavior<Command> onCreateTone(CreateTone cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      ToneSpec spec;
      try {
        spec = ToneSpec.of(cmd.tone(), cmd.frequency(), cmd.durationMs(), cmd.country());
      } catch (IllegalArgumentException bad) {
        throw new SessionMedia.Refused(ErrorCode.INVALID_PARAMS, bad.getMessage());
      }
      return new EndpointCreated(media.createTone(spec), null);
    });
  }

  private Behavior<Command> onCreateWithFile(CreateWithFile cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      ClipLibrary library = ClipLibrary.get(ctx.getSystem());
      ClipLibrary.Source source;
      try {
        source = library.resolve(cmd.source());
      } catch (IllegalArgumentException bad) {
        throw new SessionMedia.Refused(ErrorCode.INVALID_PARAMS, bad.getMessage());
      }
      FilePlayer player = new FilePlayer(cmd.startMs(), cmd.loopCount() == null ? FilePlayer.FOREVER : cmd.loopCount());
      String id = media.createFile(source, player, () -> library.load(source, cmd.shared(),
          Duration.ofSeconds(cmd.cacheTtlSecs()), Duration.ofMillis(cmd.timeoutMs())));
      return new EndpointCreated(id, null);
    });
  }

  private Behavior<Command> onFileControl(FileControl cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    try {
      var entity = media.fileEndpoint(cmd.endpointId());
      entity.tell(switch (cmd.action()) {
        case "pause" -> new EndpointEntity.Pause(cmd.replyTo());
        case "resume" -> new EndpointEntity.Resume(cmd.replyTo());
        default -> new EndpointEntity.Seek(cmd.positionMs(), cmd.replyTo());
      });
    } catch (SessionMedia.Refused r) {
      cmd.replyTo().tell(Refusal.reply(r.code, r.getMessage()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onStartRecording(StartRecording cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      Recording recording = media.startRecording(cmd.endpointId(), cmd.filePath(), cmd.format(), cmd.stereo());
      ActorRef<Command> self = ctx.getSelf();
      recording.ended().thenAccept(result -> self.tell(new RecordingEnded(result)));
      return new RecordingStarted(recording.id());
    });
  }

  private Behavior<Command> onStopRecording(StopRecording cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    try {
      Recording recording = media.stopRecording(cmd.recordingId());
      recording.ended().thenAccept(r -> cmd.replyTo().tell(StatusReply.success(
          new RecordingStopped(r.filePath(), r.durationMs(), r.packets(), r.droppedPackets()))));
    } catch (SessionMedia.Refused r) {
      cmd.replyTo().tell(Refusal.reply(r.code, r.getMessage()));
    }
    return Behaviors.same();
  }

  /** A recording that ended without recording.stop (its endpoint went, the disk failed) is news for the controller. */
  private Behavior<Command> onRecordingEnded(RecordingEnded m, ActorRef<SessionEvent> controller) {
    Recording.Result r = m.result();
    media.recordingEnded(r.recordingId());
    if (!r.reason().equals("stopped")) {
      emit(controller, new EventPayload.RecordingStoppedEvent(r.recordingId(), r.filePath(), r.durationMs(), r.packets(),
          r.droppedPackets(), r.reason()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAcceptAnswer(AcceptAnswer cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      media.acceptAnswer(cmd.endpointId(), cmd.sdp());
      return Done.getInstance();
    });
  }

  private Behavior<Command> onRemoveEndpoint(RemoveEndpoint cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      var partner = media.partnerOf(cmd.endpointId());
      media.remove(cmd.endpointId());
      if (partner != null) tellBridgePartner(partner.getKey(), partner.getValue());
      return Done.getInstance();
    });
  }

  private Behavior<Command> onTransfer(TransferEndpoint cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    String target = cmd.targetSessionId();
    Refusal unreachable = sameNodePeer(target, ErrorCode.TRANSFER_FAILED);
    if (unreachable != null) return refuse(cmd.replyTo(), unreachable.code(), unreachable.message());
    SessionMedia.Endpoint endpoint;
    try {
      endpoint = media.detach(cmd.endpointId());
    } catch (SessionMedia.Refused r) {
      return refuse(cmd.replyTo(), r.code, r.getMessage());
    }
    endpointsChanged(controller != null);
    String token = TransferDesk.get(ctx.getSystem()).leave(endpoint);
    CompletionStage<Done> adopted = ClusterSharding.get(ctx.getSystem()).entityRefFor(TYPE_KEY, target)
        .askWithStatus(r -> new AdoptEndpoint(token, sessionId, r), TRANSFER_TIMEOUT);
    ctx.pipeToSelf(adopted, (done, failure) -> new TransferOutcome(token, cmd.endpointId(), target, failure, cmd.replyTo()));
    return Behaviors.same();
  }

  /** Why {@code target} cannot share media with this session, or null when it can (same node, not itself). */
  private Refusal sameNodePeer(String target, ErrorCode code) {
    if (sessionId.equals(target)) return new Refusal(code, "session " + target + " is this session");
    if (!NodeKey.isWellFormed(target)) return new Refusal(ErrorCode.SESSION_NOT_FOUND, "no session " + target);
    if (!NodeKey.shardOf(target).equals(NodeKey.shardOf(sessionId))) {
      return new Refusal(code, "session " + target + " is on another node; media is shared only between sessions of one node");
    }
    return null;
  }

  private Behavior<Command> onBridge(BridgeSessions cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    Refusal unreachable = sameNodePeer(cmd.targetSessionId(), ErrorCode.ENDPOINT_ERROR);
    if (unreachable != null) return refuse(cmd.replyTo(), unreachable.code(), unreachable.message());
    SessionMedia.Endpoint[] halves;
    try {
      halves = media.createBridge(cmd.targetSessionId(), direction(cmd.direction()));
    } catch (SessionMedia.Refused r) {
      return refuse(cmd.replyTo(), r.code, r.getMessage());
    }
    endpointsChanged(controller != null);
    String token = TransferDesk.get(ctx.getSystem()).leave(halves[1]);
    CompletionStage<Done> adopted = ClusterSharding.get(ctx.getSystem()).entityRefFor(TYPE_KEY, cmd.targetSessionId())
        .askWithStatus(r -> new AdoptEndpoint(token, sessionId, r), TRANSFER_TIMEOUT);
    ctx.pipeToSelf(adopted, (done, failure) -> new BridgeOutcome(token, halves[0].id, halves[1].id, failure, cmd.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onBridgeOutcome(BridgeOutcome outcome, ActorRef<SessionEvent> controller) {
    SessionMedia.Endpoint unclaimed = outcome.failure() == null ? null : TransferDesk.get(ctx.getSystem()).take(outcome.token());
    if (unclaimed == null) {
      outcome.replyTo().tell(StatusReply.success(new Bridged(outcome.endpointId(), outcome.targetEndpointId())));
      return Behaviors.same();
    }
    media.discardUnclaimed(unclaimed); // the far half's entity was opened already: close it too
    try {
      media.remove(outcome.endpointId());
    } catch (SessionMedia.Refused alreadyGone) {
      // removed meanwhile: nothing left to undo
    }
    endpointsChanged(controller != null);
    var refusal = Refusal.from(outcome.failure());
    // the target refuses a half like any transfer (TRANSFER_FAILED); for session.bridge that is ENDPOINT_ERROR
    ErrorCode code = refusal.map(Refusal::code).filter(c -> c == ErrorCode.SESSION_NOT_FOUND).orElse(ErrorCode.ENDPOINT_ERROR);
    outcome.replyTo().tell(Refusal.reply(code, refusal.map(Refusal::message).orElse("the target session did not answer")));
    return Behaviors.same();
  }

  private Behavior<Command> onRemoveBridgePartner(RemoveBridgePartner cmd, ActorRef<SessionEvent> controller) {
    if (media.has(cmd.endpointId())) {
      try {
        media.remove(cmd.endpointId());
      } catch (SessionMedia.Refused impossible) {
        throw new IllegalStateException(impossible);
      }
      endpointsChanged(controller != null);
    }
    return Behaviors.same();
  }

  private void tellBridgePartner(String partnerEndpointId, String partnerSessionId) {
    ClusterSharding.get(ctx.getSystem()).entityRefFor(TYPE_KEY, partnerSessionId).tell(new RemoveBridgePartner(partnerEndpointId));
  }

  private Behavior<Command> onTransferOutcome(TransferOutcome outcome, ActorRef<SessionEvent> controller) {
    SessionMedia.Endpoint back = outcome.failure() == null ? null : TransferDesk.get(ctx.getSystem()).take(outcome.token());
    if (back == null) { // adopted (a late failure after the target took it still means it moved)
      emit(controller, new EventPayload.EndpointTransferredOut(outcome.endpointId(), outcome.targetSessionId()));
      outcome.replyTo().tell(StatusReply.success(new Transferred(outcome.endpointId(), outcome.targetSessionId())));
      return Behaviors.same();
    }
    try {
      media.adopt(back);
    } catch (SessionMedia.Refused impossible) {
      // the endpoint left this session a moment ago, so its place is free
      throw new IllegalStateException(impossible);
    }
    endpointsChanged(controller != null);
    var refusal = Refusal.from(outcome.failure());
    ErrorCode code = refusal.map(Refusal::code).filter(c -> c == ErrorCode.SESSION_NOT_FOUND).orElse(ErrorCode.TRANSFER_FAILED);
    String reason = refusal.map(Refusal::message).orElse("the target session did not answer");
    outcome.replyTo().tell(Refusal.reply(code, reason));
    return Behaviors.same();
  }

  private Behavior<Command> onAdopt(AdoptEndpoint cmd, ActorRef<SessionEvent> controller) {
    TransferDesk desk = TransferDesk.get(ctx.getSystem());
    SessionMedia.Endpoint endpoint = desk.take(cmd.token());
    if (endpoint == null) return refuse(cmd.replyTo(), ErrorCode.TRANSFER_FAILED, "no endpoint waits for this session");
    try {
      media.adopt(endpoint);
    } catch (SessionMedia.Refused full) {
      desk.putBack(cmd.token(), endpoint);
      return refuse(cmd.replyTo(), ErrorCode.TRANSFER_FAILED, "target session " + sessionId + " is full: " + full.getMessage());
    }
    endpointsChanged(controller != null);
    EndpointSummary e = SessionMedia.describe(endpoint);
    emit(controller, new EventPayload.EndpointTransferredIn(e.endpointId(), cmd.sourceSessionId(), e.type(), e.direction(), e.state()));
    cmd.replyTo().tell(StatusReply.success(Done.getInstance()));
    return Behaviors.same();
  }

  private Behavior<Command> onInjectDtmf(InjectDtmf cmd, ActorRef<SessionEvent> controller) {
    return onMediaCommand(cmd.caller(), controller, cmd.replyTo(), () -> {
      media.injectDtmf(cmd.endpointId(), cmd.digit(), cmd.durationMs(), cmd.volume());
      return Done.getInstance();
    });
  }

  private Behavior<Command> onSubscribeStats(SubscribeStats cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    timers.startTimerAtFixedRate(StatsTick.INSTANCE, Duration.ofMillis(cmd.intervalMs()));
    cmd.replyTo().tell(StatusReply.success(Done.getInstance()));
    return Behaviors.same();
  }

  private Behavior<Command> onUnsubscribeStats(UnsubscribeStats cmd, ActorRef<SessionEvent> controller) {
    if (!authorised(cmd.caller(), controller)) return refuseNotFound(cmd.replyTo());
    touch();
    timers.cancel(StatsTick.INSTANCE);
    cmd.replyTo().tell(StatusReply.success(Done.getInstance()));
    return Behaviors.same();
  }

  private Behavior<Command> onEndpointNews(EndpointNews news, ActorRef<SessionEvent> controller) {
    if (!media.has(news.endpointId())) return Behaviors.same(); // removed or transferred meanwhile
    if (news.event() instanceof EventPayload.EndpointStateChanged change) media.stateChanged(news.endpointId(), change.newState());
    emit(controller, news.event());
    return Behaviors.same();
  }

  /** Keeps the directory's count current and runs the empty timeout only while there are no endpoints. */
  private void endpointsChanged(boolean controlled) {
    directory.update(summary(controlled, false));
    if (settings.emptyTimeout().isZero()) return;
    if (media.size() == 0) timers.startSingleTimer(EmptyTimeout.INSTANCE, settings.emptyTimeout());
    else timers.cancel(EmptyTimeout.INSTANCE);
  }

  private static String badDirection(String given) {
    return "\"direction\" must be sendrecv, sendonly, recvonly or inactive, not " + given;
  }

  private <T> Behavior<Command> refuse(ActorRef<StatusReply<T>> replyTo, ErrorCode code, String message) {
    replyTo.tell(Refusal.reply(code, message));
    return Behaviors.same();
  }

  private Behavior<Command> onIdleCheck(ActorRef<SessionEvent> controller) {
    long lastMedia = media.lastMediaNanos();
    if (lastMedia != Long.MIN_VALUE && lastMedia - lastActivityNanos > 0) lastActivityNanos = lastMedia;
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(settings.idleTimeout()) < 0) {
      timers.startSingleTimer(IdleCheck.INSTANCE, settings.idleTimeout().minus(idle));
      return Behaviors.same();
    }
    emit(controller, new EventPayload.SessionIdleTimeout(sessionId, settings.idleTimeout().toSeconds()));
    return terminate(controller, "idle_timeout", null);
  }

  private Behavior<Command> onEmptyTimeout(ActorRef<SessionEvent> controller) {
    if (media.size() > 0) return Behaviors.same();
    emit(controller, new EventPayload.SessionEmptyTimeout(sessionId, settings.emptyTimeout().toSeconds()));
    return terminate(controller, "empty_timeout", null);
  }

  private Behavior<Command> terminate(ActorRef<SessionEvent> controller, String reason, ActorRef<StatusReply<Done>> replyTo) {
    emit(controller, new EventPayload.AppTerminating(sessionId, reason));
    pendingHttp.forEach((id, waiting) -> waiting.tell(StatusReply.success(defaultHttpAnswer(id))));
    pendingHttp.clear();
    java.util.Set<String> recordings = media.recordingIds();
    if (recordings.isEmpty()) return terminated(controller, reason, replyTo);
    // a drained node ends its sessions: their recordings say so, not that the application ended them
    media.stopAllRecordings(reason.equals("node_shutdown") ? "node_shutdown" : "session_ended");
    timers.startSingleTimer(ClosingTimeout.INSTANCE, CLOSING_TIMEOUT);
    return closing(controller, reason, replyTo, recordings);
  }

  /** Waits (briefly) for the session's recordings to be final, so their recording.stopped comes before the end. */
  private Behavior<Command> closing(ActorRef<SessionEvent> controller, String reason, ActorRef<StatusReply<Done>> replyTo,
                                    java.util.Set<String> waiting) {
    return Behaviors.receive(Command.class)
        .onMessage(RecordingEnded.class, m -> {
          onRecordingEnded(m, controller);
          java.util.Set<String> left = new java.util.HashSet<>(waiting);
          left.remove(m.result().recordingId());
          return left.isEmpty() ? terminated(controller, reason, replyTo) : closing(controller, reason, replyTo, left);
        })
        .onMessage(ClosingTimeout.class, m -> terminated(controller, reason, replyTo))
        .onMessage(Destroy.class, m -> {
          m.replyTo().tell(StatusReply.success(Done.getInstance())); // ending already
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> terminated(ActorRef<SessionEvent> controller, String reason, ActorRef<StatusReply<Done>> replyTo) {
    emit(controller, new EventPayload.AppTerminated(sessionId, reason));
    if (replyTo != null) replyTo.tell(StatusReply.success(Done.getInstance()));
    ctx.getLog().debug("session {} ended: {}", sessionId, reason);
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    media.bridgePartners().forEach(this::tellBridgePartner);
    media.removeAll();
    directory.remove(sessionId);
    return Behaviors.same();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** A connection may act only on the session it controls; an API caller only within its key's app. */
  private boolean authorised(Caller caller, ActorRef<SessionEvent> controller) {
    if (caller.connection() != null) return caller.connection().equals(controller);
    return caller.mayAccess(spec.app());
  }

  /** Refusals that must not reveal whether the session exists answer like an unknown id. */
  private <T> Behavior<Command> refuseNotFound(ActorRef<StatusReply<T>> replyTo) {
    replyTo.tell(Refusal.reply(ErrorCode.SESSION_NOT_FOUND, "no session " + sessionId));
    return Behaviors.same();
  }

  private boolean secretMatches(String secret) {
    return secret != null && MessageDigest.isEqual(
        spec.accessSecret().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
  }

  private void emit(ActorRef<SessionEvent> controller, EventPayload payload) {
    SessionEvent event = log.append(sessionId, payload);
    if (controller != null) controller.tell(event);
  }

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private SessionSummary summary(boolean controlled) {
    return summary(controlled, false);
  }

  private SessionSummary summary(boolean controlled, boolean withEndpoints) {
    return new SessionSummary(sessionId, spec.app(), controlled ? "controlled" : "orphaned", createdAtMs, media.size(),
        log.lastSeq(), spec.customData(), directory.nodeAddress(), withEndpoints ? media.summaries() : List.of());
  }
}
