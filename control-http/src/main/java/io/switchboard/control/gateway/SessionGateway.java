package io.switchboard.control.gateway;

import io.switchboard.control.api.ProtocolError;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.NodeKey;
import io.switchboard.media.cluster.Refusal;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.session.Caller;
import io.switchboard.media.session.SessionDirectory;
import io.switchboard.media.session.SessionEvent;
import io.switchboard.media.session.SessionListing;
import io.switchboard.media.session.SessionSummary;
import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's only way to sessions: Cluster Sharding, by id. Mints session ids on a chosen media node,
 * asks the entity, and turns every failure into a protocol {@link ErrorCode} in {@link #convertError}.
 * Stateless and thread-safe; one per node, shared by the WebSocket connections and the HTTP routes.
 */
public final class SessionGateway {

  private static final Logger LOG = LoggerFactory.getLogger(SessionGateway.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Cluster cluster;
  private final Duration askTimeout;
  private final Duration httpAskTimeout;

  public SessionGateway(ActorSystem<?> system, Duration askTimeout, Duration httpResponseTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.cluster = Cluster.get(system);
    this.askTimeout = askTimeout;
    this.httpAskTimeout = httpResponseTimeout.plus(askTimeout);
  }

  /**
   * A fresh session id on a media node that is Up: this node when it hosts media (the embedded
   * default keeps calls local), otherwise a random media member.
   */
  private String mintSessionId() {
    if (SessionDirectory.get(system).draining()) {
      throw new ProtocolError(ErrorCode.SHUTTING_DOWN, "this node is shutting down and takes no new sessions");
    }
    Member self = cluster.selfMember();
    if (self.status() == MemberStatus.up() && self.hasRole(CallSession.ROLE)) {
      return NodeKey.newEntityId(NodeKey.of(self));
    }
    List<Member> media = new ArrayList<>();
    cluster.state().getMembers().forEach(m -> {
      if (m.status() == MemberStatus.up() && m.hasRole(CallSession.ROLE)) media.add(m);
    });
    if (media.isEmpty()) throw new ProtocolError(ErrorCode.SHUTTING_DOWN, "no media node is available");
    return NodeKey.newEntityId(NodeKey.of(media.get(ThreadLocalRandom.current().nextInt(media.size()))));
  }

  /** A session just started, with the secret of its access URL. */
  public record Started(String sessionId, String accessSecret) {}

  /**
   * Starts a session of {@code requestedApp} (or of the key's app when the key is limited to one) on a
   * media node; {@code controller} is the creating connection's inbox, or null for HTTP-started sessions.
   */
  public CompletionStage<Started> start(
      String keyApp, String requestedApp, JsonNode customData, ActorRef<SessionEvent> controller) {
    if (keyApp != null && requestedApp != null && !requestedApp.equals(keyApp)) {
      throw new ProtocolError(ErrorCode.UNAUTHORIZED, "this API key may not create sessions of application " + requestedApp);
    }
    String app = keyApp != null ? keyApp : requestedApp;
    String sessionId = mintSessionId();
    String secret = newSecret();
    var spec = new CallSession.SessionSpec(app, customData, secret);
    CompletionStage<CallSession.Created> created = ask(sessionId, askTimeout, r -> new CallSession.Create(spec, controller, r));
    return created.thenApply(c -> new Started(sessionId, secret));
  }

  public CompletionStage<CallSession.Attached> attach(String sessionId, Caller caller, long lastSeq) {
    return ask(sessionId, askTimeout, r -> new CallSession.Attach(caller, lastSeq, r));
  }

  public CompletionStage<Done> destroy(String sessionId, Caller caller, String reason) {
    return ask(sessionId, askTimeout, r -> new CallSession.Destroy(caller, reason, r));
  }

  public CompletionStage<SessionSummary> info(String sessionId, Caller caller) {
    return ask(sessionId, askTimeout, r -> new CallSession.GetInfo(caller, r));
  }

  public CompletionStage<CallSession.HttpAnswer> httpRequest(
      String sessionId, String secret, String method, String path, Map<String, String> headers, String content) {
    return ask(sessionId, httpAskTimeout, r -> new CallSession.HandleHttpRequest(secret, method, path, headers, content, r));
  }

  public CompletionStage<Done> respondHttp(
      String sessionId, Caller caller, String requestId, int status, Map<String, String> headers, String body) {
    return ask(sessionId, askTimeout, r -> new CallSession.RespondHttp(caller, requestId, status, headers, body, r));
  }

  public CompletionStage<CallSession.EndpointCreated> createEndpointFromOffer(String sessionId, Caller caller, String sdp, String direction) {
    return ask(sessionId, askTimeout, r -> new CallSession.CreateEndpointFromOffer(caller, sdp, direction, r));
  }

  public CompletionStage<CallSession.EndpointCreated> createEndpointOffer(String sessionId, Caller caller, String direction, List<String> codecs) {
    return ask(sessionId, askTimeout, r -> new CallSession.CreateEndpointOffer(caller, direction, codecs, r));
  }

  public CompletionStage<CallSession.EndpointCreated> createTone(String sessionId, Caller caller, String tone, Double frequency,
                                                              Long durationMs, String country) {
    return ask(sessionId, askTimeout, r -> new CallSession.CreateTone(caller, tone, frequency, durationMs, country, r));
  }

  public CompletionStage<CallSession.EndpointCreated> createWithFile(String sessionId, Caller caller, String source, long startMs,
                                                                  Integer loopCount, long cacheTtlSecs, boolean shared,
                                                                  long timeoutMs) {
    return ask(sessionId, askTimeout,
        r -> new CallSession.CreateWithFile(caller, source, startMs, loopCount, cacheTtlSecs, shared, timeoutMs, r));
  }

  public CompletionStage<Done> fileControl(String sessionId, Caller caller, String endpointId, String action, long positionMs) {
    return ask(sessionId, askTimeout, r -> new CallSession.FileControl(caller, endpointId, action, positionMs, r));
  }

  public CompletionStage<Done> startVad(String sessionId, Caller caller, String endpointId, long silenceIntervalMs,
                                       double speechThreshold) {
    return ask(sessionId, askTimeout, r -> new CallSession.StartVad(caller, endpointId, silenceIntervalMs, speechThreshold, r));
  }

  public CompletionStage<Done> stopVad(String sessionId, Caller caller, String endpointId) {
    return ask(sessionId, askTimeout, r -> new CallSession.StopVad(caller, endpointId, r));
  }

  public CompletionStage<CallSession.RecordingStarted> startRecording(String sessionId, Caller caller, String endpointId,
                                                                    String filePath, String format, boolean stereo) {
    return ask(sessionId, askTimeout, r -> new CallSession.StartRecording(caller, endpointId, filePath, format, stereo, r));
  }

  public CompletionStage<CallSession.RecordingStopped> stopRecording(String sessionId, Caller caller, String recordingId) {
    return ask(sessionId, askTimeout, r -> new CallSession.StopRecording(caller, recordingId, r));
  }

  public CompletionStage<Done> acceptAnswer(String sessionId, Caller caller, String endpointId, String sdp) {
    return ask(sessionId, askTimeout, r -> new CallSession.AcceptAnswer(caller, endpointId, sdp, r));
  }

  public CompletionStage<Done> removeEndpoint(String sessionId, Caller caller, String endpointId) {
    return ask(sessionId, askTimeout, r -> new CallSession.RemoveEndpoint(caller, endpointId, r));
  }

  public CompletionStage<CallSession.Transferred> transferEndpoint(String sessionId, Caller caller, String endpointId, String target) {
    return ask(sessionId, askTimeout.plusSeconds(5), r -> new CallSession.TransferEndpoint(caller, endpointId, target, r));
  }

  public CompletionStage<CallSession.Bridged> bridge(String sessionId, Caller caller, String target, String direction) {
    return ask(sessionId, askTimeout.plusSeconds(5), r -> new CallSession.BridgeSessions(caller, target, direction, r));
  }

  public CompletionStage<Done> injectDtmf(String sessionId, Caller caller, String endpointId, String digit, int durationMs, int volume) {
    return ask(sessionId, askTimeout, r -> new CallSession.InjectDtmf(caller, endpointId, digit, durationMs, volume, r));
  }

  public CompletionStage<Done> subscribeStats(String sessionId, Caller caller, long intervalMs) {
    return ask(sessionId, askTimeout, r -> new CallSession.SubscribeStats(caller, intervalMs, r));
  }

  public CompletionStage<Done> unsubscribeStats(String sessionId, Caller caller) {
    return ask(sessionId, askTimeout, r -> new CallSession.UnsubscribeStats(caller, r));
  }

  /**
   * Sessions on every media node, newest first. This node's own sessions come from its directory (the
   * receptionist needs a moment after start-up to list even the local node); other nodes are asked
   * through the receptionist, and one that does not answer in time is left out.
   */
  public CompletionStage<List<SessionSummary>> list(String keyApp) {
    List<SessionSummary> local = SessionListing.visible(SessionDirectory.get(system), keyApp);
    CompletionStage<Receptionist.Listing> found = AskPattern.ask(
        system.receptionist(), r -> Receptionist.find(SessionListing.KEY, r), askTimeout, system.scheduler());
    return found.thenCompose(listing -> {
      List<CompletableFuture<List<SessionSummary>>> parts = new ArrayList<>();
      parts.add(CompletableFuture.completedFuture(local));
      for (ActorRef<SessionListing.Command> node : listing.getServiceInstances(SessionListing.KEY)) {
        if (node.path().address().hasLocalScope()) continue;
        CompletionStage<SessionListing.Listed> part = AskPattern.ask(
            node, r -> new SessionListing.ListSessions(keyApp, r), askTimeout, system.scheduler());
        parts.add(part.thenApply(SessionListing.Listed::sessions)
            .exceptionally(e -> {
              LOG.warn("session listing of {} failed: {}", node.path().address(), e.toString());
              return List.of();
            })
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<SessionSummary> all = new ArrayList<>();
        parts.forEach(p -> all.addAll(p.join()));
        all.sort(Comparator.comparingLong(SessionSummary::createdAtMs).reversed());
        return all;
      });
    });
  }

  /**
   * Asks the session entity, without touching sharding for ids we could not have issued or whose node
   * is no longer a member: those sessions cannot exist.
   */
  private <R> CompletionStage<R> ask(
      String sessionId, Duration timeout, Function<ActorRef<StatusReply<R>>, CallSession.Command> command) {
    if (!isLiveId(sessionId)) {
      return CompletableFuture.failedFuture(new ProtocolError(ErrorCode.SESSION_NOT_FOUND, "no session " + sessionId));
    }
    EntityRef<CallSession.Command> ref = sharding.entityRefFor(CallSession.TYPE_KEY, sessionId);
    return ref.askWithStatus(command::apply, timeout);
  }

  private boolean isLiveId(String sessionId) {
    return NodeKey.nodeKeyOf(sessionId)
        .map(key -> {
          for (Member m : cluster.state().getMembers()) {
            if (NodeKey.of(m).equals(key)) return m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving();
          }
          return false;
        })
        .orElse(false);
  }

  private static String newSecret() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The one place failures become protocol errors. Unknown failures are bugs: logged, never blamed on the client. */
  public static ProtocolError convertError(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ProtocolError p) return p;
    var refusal = Refusal.from(t);
    if (refusal.isPresent()) return new ProtocolError(refusal.get().code(), refusal.get().message());
    if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
      return new ProtocolError(ErrorCode.SESSION_UNRESPONSIVE, "the session did not answer in time");
    }
    LOG.error("unexpected failure of a control request", t);
    return new ProtocolError(ErrorCode.INTERNAL_ERROR, "internal error");
  }
}
