package io.switchboard.control.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.control.api.Json;
import io.switchboard.control.api.Params;
import io.switchboard.control.api.ProtocolError;
import io.switchboard.control.api.Request;
import io.switchboard.control.gateway.SessionGateway;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.metrics.SwitchboardMetrics;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.session.Caller;
import io.switchboard.media.session.EventPayload;
import io.switchboard.media.session.SessionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;

/**
 * One control WebSocket connection: parses requests, runs them one at a time through the
 * {@link SessionGateway}, and writes replies and the bound session's events to the client.
 *
 * <p>States: {@link #unbound} (no session), {@link #binding} (a create or attach is in flight; events
 * of that session are held until its reply has been written, so the reply always comes first) and
 * {@link #bound}. The inbound stream is acknowledged only after a request's reply is queued, so one
 * connection never has two requests in flight and its replies keep request order.
 *
 * <p>Outbound frames go through an {@link Outbox}: the WebSocket source acknowledges each frame, and
 * while it has not, frames wait in bounded lanes; a client too slow to read loses normal events
 * (counted, then reported as {@code events.dropped}), never the media or other connections' events.
 * The session watches {@link #eventInbox}; when this actor stops the session is orphaned.
 */
public final class ConnectionActor {

  public sealed interface Command {}

  /** What the inbound stream hands over for each WebSocket message. */
  public sealed interface Frame {}

  public record Text(String text) implements Frame {}

  public record TooLarge(long size) implements Frame {}

  public enum Binary implements Frame { INSTANCE }

  public enum Ack { INSTANCE }

  public record StreamStarted(ActorRef<Ack> ackTo) implements Command {}

  public record Inbound(Frame frame, ActorRef<Ack> ackTo) implements Command {}

  public enum StreamEnded implements Command { INSTANCE }

  public record StreamFailed(Throwable cause) implements Command {}

  /** The WebSocket source, ready for frames; it acknowledges each with {@link OutboundAck}. */
  public record OutboundAttached(ActorRef<Outgoing> out) implements Command {}

  public enum OutboundAck implements Command { INSTANCE }

  /** What the connection writes to the WebSocket source. */
  public sealed interface Outgoing {}

  /** Frames written together under one acknowledgement: whatever waited when the source became ready. */
  public record OutFrames(List<String> texts) implements Outgoing {}

  public enum Close implements Outgoing { INSTANCE }

  private record Delivered(SessionEvent event) implements Command {}

  /** A request's outcome and the behaviour to take once its reply is queued. */
  private record Completed(JsonNode id, String method, JsonNode result, Throwable failure,
                           Supplier<Behavior<Command>> then) implements Command {}

  /** Settings of the connection: who the caller is and how much may queue for it. */
  public record Settings(String keyApp, int criticalQueue, int eventQueue) {}

  /** Frames per write; bounds how much a batch can hold back a critical event queued after it. */
  private static final int MAX_BATCH = 32;

  /**
   * Every method of the protocol (a new one goes here and into {@link #dispatchBound}). Unbound, those
   * other than create/attach/list answer NO_SESSION; and only these names become metric labels, so a
   * client cannot grow the metrics without bound by inventing methods.
   */
  static final Set<String> METHODS = Set.of(
      "session.create", "session.attach", "session.destroy", "session.info", "session.list", "session.bridge",
      "http.respond", "endpoint.create_from_offer", "endpoint.create_offer", "endpoint.accept_answer",
      "endpoint.remove", "endpoint.transfer", "endpoint.dtmf.inject", "endpoint.create_tone",
      "endpoint.create_with_file", "endpoint.file.seek", "endpoint.file.pause", "endpoint.file.resume",
      "recording.start", "recording.stop", "vad.start", "vad.stop", "stats.subscribe", "stats.unsubscribe");

  /** Metric labels of requests whose method is not one of {@link #METHODS}, and of messages that are no request. */
  static final String UNKNOWN_METHOD_LABEL = "unknown";
  static final String INVALID_REQUEST_LABEL = "invalid";

  public static Behavior<Command> create(SessionGateway gateway, Settings settings, AccessUrls urls) {
    return Behaviors.setup(ctx -> new ConnectionActor(ctx, gateway, settings, urls).unbound(null, 0));
  }

  private final ActorContext<Command> ctx;
  private final SessionGateway gateway;
  private final Settings settings;
  private final AccessUrls urls;
  private final SwitchboardMetrics metrics;
  private final Outbox outbox;
  private final ActorRef<SessionEvent> eventInbox;
  private final Caller caller;
  private ActorRef<Outgoing> out;
  private boolean outReady;
  private ActorRef<Ack> inboundAck;

  private ConnectionActor(ActorContext<Command> ctx, SessionGateway gateway, Settings settings, AccessUrls urls) {
    this.ctx = ctx;
    this.gateway = gateway;
    this.settings = settings;
    this.urls = urls;
    this.metrics = SwitchboardMetrics.get(ctx.getSystem());
    this.outbox = new Outbox(settings.criticalQueue(), settings.eventQueue());
    this.eventInbox = ctx.messageAdapter(SessionEvent.class, Delivered::new);
    this.caller = Caller.connection(eventInbox, settings.keyApp());
    metrics.controlConnections.inc();
  }

  // ---- states ------------------------------------------------------------------------------------

  /**
   * No session is bound. {@code lastSession}/{@code lastSeq} name the session just left, whose final
   * events (app.terminated) may still be on their way and are delivered.
   */
  private Behavior<Command> unbound(String lastSession, long lastSeq) {
    return common()
        .onMessage(Inbound.class, in -> onInbound(in, this::dispatchUnbound))
        .onMessage(Delivered.class, d -> {
          if (d.event().sessionId().equals(lastSession) && d.event().seq() > lastSeq) deliver(d.event());
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A create or attach is in flight: hold events of its session (any session, for a create: only the
   * new one knows this inbox) until the reply is queued.
   */
  private Behavior<Command> binding(String sessionId, List<SessionEvent> held) {
    return common()
        .onMessage(Delivered.class, d -> {
          if (sessionId == null || d.event().sessionId().equals(sessionId)) held.add(d.event());
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A session is bound. It ends on its own too (HTTP DELETE, idle or empty timeout, node shutdown), not
   * only by this connection's session.destroy: its app.terminated is the last event it sends, so that
   * event unbinds the connection, which may then create or attach another session.
   */
  private Behavior<Command> bound(String sessionId, long[] lastSeq) {
    return common()
        .onMessage(Inbound.class, in -> onInbound(in, r -> dispatchBound(r, sessionId, lastSeq)))
        .onMessage(Delivered.class, d -> deliverBound(sessionId, lastSeq, d.event())
            ? unbound(sessionId, lastSeq[0])
            : Behaviors.same())
        .build();
  }

  private Behavior<Command> boundAfter(String sessionId, List<SessionEvent> toDeliver) {
    long[] lastSeq = {0};
    for (SessionEvent e : toDeliver) {
      if (deliverBound(sessionId, lastSeq, e)) return unbound(sessionId, lastSeq[0]);
    }
    return bound(sessionId, lastSeq);
  }

  /**
   * Delivers an event of the bound session once, in seq order (a replayed event may also come live).
   *
   * @return true when it was the session's terminal event, after which nothing of it follows
   */
  private boolean deliverBound(String sessionId, long[] lastSeq, SessionEvent e) {
    if (!e.sessionId().equals(sessionId) || e.seq() <= lastSeq[0]) return false;
    lastSeq[0] = e.seq();
    deliver(e);
    return e.payload() instanceof EventPayload.AppTerminated;
  }

  private BehaviorBuilder<Command> common() {
    return Behaviors.receive(Command.class)
        .onMessage(StreamStarted.class, s -> {
          s.ackTo().tell(Ack.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(OutboundAttached.class, a -> {
          out = a.out();
          outReady = true;
          flush();
          return Behaviors.same();
        })
        .onMessage(OutboundAck.class, a -> {
          outReady = true;
          flush();
          return Behaviors.same();
        })
        .onMessage(Completed.class, this::onCompleted)
        .onMessage(StreamEnded.class, s -> Behaviors.stopped())
        .onMessage(StreamFailed.class, s -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> onPostStop());
  }

  // ---- requests ----------------------------------------------------------------------------------

  private Behavior<Command> onInbound(Inbound in, Function<Request, Behavior<Command>> dispatch) {
    inboundAck = in.ackTo();
    Frame frame = in.frame();
    if (frame instanceof TooLarge t) {
      return replyError(NullNode.instance, INVALID_REQUEST_LABEL, new ProtocolError(ErrorCode.INVALID_REQUEST,
          "message of " + t.size() + " characters or more exceeds max-message-size"));
    }
    if (frame instanceof Binary) {
      return replyError(NullNode.instance, INVALID_REQUEST_LABEL,
          new ProtocolError(ErrorCode.INVALID_REQUEST, "binary messages are not part of the control protocol"));
    }
    Request request;
    try {
      request = Request.parse(((Text) frame).text());
    } catch (Request.Invalid invalid) {
      return replyError(invalid.id, INVALID_REQUEST_LABEL, invalid.error);
    }
    try {
      return dispatch.apply(request);
    } catch (ProtocolError e) {
      return replyError(request.id(), methodLabel(request.method()), e);
    }
  }

  private Behavior<Command> dispatchUnbound(Request r) {
    Params p = r.params();
    return switch (r.method()) {
      case "session.create" -> {
        var starting = gateway.start(settings.keyApp(), p.optionalString("app").orElse(null),
            p.optionalValue("custom_data").orElse(null), eventInbox);
        yield awaitBinding(r, null, starting, SessionGateway.Started::sessionId, started -> {
          ObjectNode result = Json.object().put("session_id", started.sessionId());
          urls.describe(started.sessionId(), started.accessSecret(), result);
          return result;
        }, started -> List.of());
      }
      case "session.attach" -> {
        String sessionId = p.requiredString("session_id");
        long lastSeq = p.optionalLong("last_seq", 0, Long.MAX_VALUE).orElse(-1L);
        yield awaitBinding(r, sessionId, gateway.attach(sessionId, caller, lastSeq), CallSession.Attached::sessionId, attached -> {
          ObjectNode result = Json.object().put("session_id", sessionId);
          if (lastSeq >= 0) result.put("replayed", attached.replay().size()).put("missed", attached.missed());
          return result;
        }, CallSession.Attached::replay);
      }
      case "session.list" -> list(r);
      default -> throw METHODS.contains(r.method())
          ? new ProtocolError(ErrorCode.NO_SESSION, "this connection has no session; create or attach one first")
          : unknownMethod(r);
    };
  }

  private Behavior<Command> dispatchBound(Request r, String sessionId, long[] lastSeq) {
    Params p = r.params();
    return switch (r.method()) {
      case "session.create", "session.attach" -> throw new ProtocolError(ErrorCode.SESSION_ALREADY_BOUND,
          "this connection already controls session " + sessionId + "; destroy it or open another connection");
      case "session.destroy" -> await(r, gateway.destroy(sessionId, caller, "session.destroy"),
          done -> Json.object(), done -> unbound(sessionId, lastSeq[0]));
      case "session.info" -> await(r, gateway.info(sessionId, caller), Json::tree, null);
      case "session.list" -> list(r);
      case "http.respond" -> {
        String requestId = p.requiredString("request_id");
        int status = (int) p.requiredLong("status", 100, 599);
        var headers = p.optionalStringMap("headers");
        String body = p.optionalString("body").orElse("");
        yield await(r, gateway.respondHttp(sessionId, caller, requestId, status, headers, body), done -> Json.object(), null);
      }
      case "endpoint.create_from_offer" -> await(r, gateway.createEndpointFromOffer(sessionId, caller,
          p.requiredString("sdp"), p.optionalString("direction").orElse("sendrecv")), created -> Json.object()
          .put("endpoint_id", created.endpointId()).put("sdp_answer", created.sdp()), null);
      case "endpoint.create_offer" -> {
        String type = p.optionalString("type").orElse("rtp");
        if (!type.equals("rtp")) throw new ProtocolError(ErrorCode.INVALID_PARAMS, "\"type\" must be \"rtp\"");
        yield await(r, gateway.createEndpointOffer(sessionId, caller, p.optionalString("direction").orElse("sendrecv"),
            p.optionalStringList("codecs").orElse(null)), created -> Json.object()
            .put("endpoint_id", created.endpointId()).put("sdp_offer", created.sdp()), null);
      }
      case "endpoint.create_tone" -> await(r, gateway.createTone(sessionId, caller, p.requiredString("tone"),
          p.optionalNumber("frequency", 20, 3900).orElse(null), p.optionalLong("duration_ms", 20, 86_400_000).orElse(null),
          p.optionalString("country").orElse(null)), created -> Json.object().put("endpoint_id", created.endpointId()), null);
      case "endpoint.create_with_file" -> await(r, gateway.createWithFile(sessionId, caller, p.requiredString("source"),
          p.optionalLong("start_ms", 0, 86_400_000).orElse(0L),
          p.isNull("loop_count") ? null : p.optionalLong("loop_count", 0, 1_000_000).orElse(0L).intValue(),
          p.optionalLong("cache_ttl_secs", 0, 7 * 86_400).orElse(300L), p.optionalBoolean("shared").orElse(false),
          p.optionalLong("timeout_ms", 100, 600_000).orElse(10_000L)),
          created -> Json.object().put("endpoint_id", created.endpointId()), null);
      case "endpoint.file.seek" -> await(r, gateway.fileControl(sessionId, caller, p.requiredString("endpoint_id"), "seek",
          p.requiredLong("position_ms", 0, 86_400_000)), done -> Json.object(), null);
      case "endpoint.file.pause", "endpoint.file.resume" -> await(r, gateway.fileControl(sessionId, caller,
          p.requiredString("endpoint_id"), r.method().substring("endpoint.file.".length()), 0), done -> Json.object(), null);
      case "vad.start" -> await(r, gateway.startVad(sessionId, caller, p.requiredString("endpoint_id"),
          p.optionalLong("silence_interval_ms", 100, 3_600_000).orElse(1000L),
          p.optionalNumber("speech_threshold", 0.01, 0.99).orElse(0.5)), done -> Json.object(), null);
      case "vad.stop" -> await(r, gateway.stopVad(sessionId, caller, p.requiredString("endpoint_id")), done -> Json.object(), null);
      case "recording.start" -> await(r, gateway.startRecording(sessionId, caller, p.optionalString("endpoint_id").orElse(null),
          p.requiredString("file_path"), p.optionalString("format").orElse("pcap"), p.optionalBoolean("stereo").orElse(false)),
          started -> Json.object().put("recording_id", started.recordingId()), null);
      case "recording.stop" -> await(r, gateway.stopRecording(sessionId, caller, p.requiredString("recording_id")),
          Json::tree, null);
      case "endpoint.accept_answer" -> await(r, gateway.acceptAnswer(sessionId, caller, p.requiredString("endpoint_id"),
          p.requiredString("sdp")), done -> Json.object(), null);
      case "session.bridge" -> await(r, gateway.bridge(sessionId, caller, p.requiredString("target_session_id"),
          p.optionalString("direction").orElse("sendrecv")), bridged -> Json.object()
          .put("endpoint_id", bridged.endpointId()).put("target_endpoint_id", bridged.targetEndpointId()), null);
      case "endpoint.transfer" -> await(r, gateway.transferEndpoint(sessionId, caller, p.requiredString("endpoint_id"),
          p.requiredString("target_session_id")), moved -> Json.object().put("endpoint_id", moved.endpointId())
          .put("target_session_id", moved.targetSessionId()), null);
      case "endpoint.dtmf.inject" -> await(r, gateway.injectDtmf(sessionId, caller, p.requiredString("endpoint_id"),
          p.requiredString("digit"), p.optionalLong("duration_ms", 40, 8000).orElse(160L).intValue(),
          p.optionalLong("volume", 0, 63).orElse(10L).intValue()), done -> Json.object(), null);
      case "stats.subscribe" -> await(r, gateway.subscribeStats(sessionId, caller,
          p.optionalLong("interval_ms", 100, 3_600_000).orElse(1000L)), done -> Json.object(), null);
      case "stats.unsubscribe" -> await(r, gateway.unsubscribeStats(sessionId, caller), done -> Json.object(), null);
      case "endpoint.remove" -> await(r, gateway.removeEndpoint(sessionId, caller, p.requiredString("endpoint_id")),
          done -> Json.object(), null);
      default -> throw unknownMethod(r);
    };
  }

  private Behavior<Command> list(Request r) {
    return await(r, gateway.list(settings.keyApp()), sessions -> {
      ObjectNode result = Json.object();
      result.set("sessions", Json.tree(sessions));
      return result;
    }, null);
  }

  /**
   * Runs a request that binds the connection to a session ({@code knownId}, or null for a create whose
   * id comes with the reply). Events that arrive before the reply are held, then delivered after it,
   * behind the replay the reply carries.
   */
  private <R> Behavior<Command> awaitBinding(Request r, String knownId, CompletionStage<R> stage, Function<R, String> idOf,
                                             Function<R, JsonNode> render, Function<R, List<SessionEvent>> replayOf) {
    List<SessionEvent> held = new ArrayList<>();
    ctx.pipeToSelf(stage, (value, failure) -> failure != null
        ? new Completed(r.id(), r.method(), null, failure, () -> unbound(null, 0))
        : new Completed(r.id(), r.method(), render.apply(value), null, () -> {
          List<SessionEvent> toDeliver = new ArrayList<>(replayOf.apply(value));
          toDeliver.addAll(held);
          return boundAfter(idOf.apply(value), toDeliver);
        }));
    return binding(knownId, held);
  }

  /** Runs a request; {@code next} (may be null: stay) gives the behaviour after its success. */
  private <R> Behavior<Command> await(Request r, CompletionStage<R> stage, Function<R, JsonNode> render,
                                      Function<R, Behavior<Command>> next) {
    ctx.pipeToSelf(stage, (value, failure) -> failure != null
        ? new Completed(r.id(), r.method(), null, failure, Behaviors::same)
        : new Completed(r.id(), r.method(), render.apply(value), null,
            next == null ? Behaviors::same : () -> next.apply(value)));
    return Behaviors.same();
  }

  /** Replies, then takes the behaviour the request's outcome calls for (computed on the actor's thread). */
  private Behavior<Command> onCompleted(Completed c) {
    if (c.failure() != null) {
      replyError(c.id(), methodLabel(c.method()), SessionGateway.convertError(c.failure()));
    } else {
      metrics.controlCommands.labelValues(methodLabel(c.method()), "ok").inc();
      outbox.offerReply(Json.result(c.id(), c.result()));
      flush();
      ackInbound();
    }
    return c.then().get();
  }

  /** @param label the request's {@link #methodLabel}, or {@link #INVALID_REQUEST_LABEL} */
  private Behavior<Command> replyError(JsonNode id, String label, ProtocolError error) {
    metrics.controlCommands.labelValues(label, error.code().name()).inc();
    outbox.offerReply(Json.error(id, error.code(), error.getMessage()));
    flush();
    ackInbound();
    return Behaviors.same();
  }

  /** The method as a metric label: the client chooses the name, so only known ones are kept. */
  private static String methodLabel(String method) {
    return METHODS.contains(method) ? method : UNKNOWN_METHOD_LABEL;
  }

  private ProtocolError unknownMethod(Request r) {
    return new ProtocolError(ErrorCode.UNKNOWN_METHOD, "unknown method \"" + r.method() + "\"");
  }

  // ---- output ------------------------------------------------------------------------------------

  private void deliver(SessionEvent event) {
    if (outbox.offerEvent(Json.event(event), event.payload().critical())) {
      metrics.eventsDelivered.inc();
    } else {
      metrics.eventsDropped.inc();
    }
    flush();
  }

  private void flush() {
    if (!outReady || out == null) return;
    String first = outbox.poll();
    if (first == null) return;
    List<String> batch = new ArrayList<>(4);
    batch.add(first);
    for (String next; batch.size() < MAX_BATCH && (next = outbox.poll()) != null; ) batch.add(next);
    outReady = false;
    out.tell(new OutFrames(batch));
  }

  private void ackInbound() {
    if (inboundAck != null) {
      inboundAck.tell(Ack.INSTANCE);
      inboundAck = null;
    }
  }

  private Behavior<Command> onPostStop() {
    metrics.controlConnections.dec();
    if (out != null) out.tell(Close.INSTANCE);
    return Behaviors.same();
  }
}
