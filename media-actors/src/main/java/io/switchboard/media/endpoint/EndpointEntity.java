package io.switchboard.media.endpoint;

import io.switchboard.media.cluster.CborSerializable;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.NodeKeyMessageExtractor;
import io.switchboard.media.cluster.NodePinnedAllocationStrategy;
import io.switchboard.media.cluster.Refusal;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.session.EventPayload;
import io.switchboard.media.source.FilePlayer;
import io.switchboard.media.transport.MediaListener;
import io.switchboard.media.transport.MediaPort;
import io.switchboard.media.transport.MediaReactor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * One endpoint (a call leg's RTP stream, a bridge half, or a tone or file source) as a Cluster Sharding
 * entity. Its id carries the key of the node that holds its {@link MediaPort} (for a leg, the node that
 * bound its sockets), and {@link NodePinnedAllocationStrategy} keeps it there, so the entity always runs
 * beside its port.
 *
 * <p>The entity owns the endpoint's life and news: its state machine (new → connected), the rare
 * events of its media thread (first packet, digits, RTCP BYE, media timeout) turned into session
 * events for whichever session owns it now, the change of owner on {@code endpoint.transfer}, and the
 * closing of its sockets. The owning session keeps what crosses endpoints: negotiation, routing and the
 * mix, all node-local function calls on the media thread.
 *
 * <pre>
 *   unopened ──Open──▶ open(new) ──first packet──▶ open(connected)
 *      │                  open(playing) ──source ended──▶ open(finished)   (tones, files)
 *      │   files: open(buffering) ──Loaded──▶ playing ⇄ paused (Pause/Resume); LoadFailed ▶ finished
 *      │ (news, MoveTo, Close stashed)      │  MoveTo: news go to the new owner
 *      └────────────────────────────────────┴──Close──▶ sockets closed, stopped
 * </pre>
 */
public final class EndpointEntity {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Endpoint");

  public sealed interface Command {}

  /**
   * From the session that negotiated the endpoint: its media port, now live, and its owner. Node-local
   * by design (a socket cannot travel), so it is not {@link CborSerializable}: sending it to another
   * node fails loudly instead of pretending.
   */
  public record Open(String sessionId, MediaPort port, String type, String state) implements Command {}

  /** {@code endpoint.transfer}: news go to {@code sessionId} from now on. */
  public record MoveTo(String sessionId) implements Command, CborSerializable {}

  /** The endpoint is removed (by command, with its session, or its bridge partner): close the sockets. */
  public enum Close implements Command, CborSerializable { INSTANCE }

  /** A file endpoint's clip is decoded and playing starts (sent by whoever loaded it). */
  public enum Loaded implements Command, CborSerializable { INSTANCE }

  /** A file endpoint's source could not be fetched or decoded. */
  public record LoadFailed(String error) implements Command, CborSerializable {}

  /** {@code endpoint.file.pause}, {@code .resume}, {@code .seek}: answered by the entity, which knows the state. */
  public record Pause(ActorRef<StatusReply<Done>> replyTo) implements Command, CborSerializable {}

  public record Resume(ActorRef<StatusReply<Done>> replyTo) implements Command, CborSerializable {}

  public record Seek(long positionMs, ActorRef<StatusReply<Done>> replyTo) implements Command, CborSerializable {}

  /** News from the media thread. */
  record FirstPacket() implements Command {}

  record Digit(char digit, int durationMs) implements Command {}

  record RtcpBye(List<Long> ssrcs, String reason) implements Command {}

  record MediaTimeout(long silentMs) implements Command {}

  record SpeechStarted() implements Command {}

  record Silence(long silenceMs) implements Command {}

  /** @param error null when the source completed */
  record SourceFinished(String error) implements Command {}

  public static void init(ActorSystem<?> system, String role) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), MediaReactor.get(system),
                id -> sharding.entityRefFor(CallSession.TYPE_KEY, id)))
        .withRole(role)
        .withStopMessage(Close.INSTANCE)
        .withAllocationStrategy(new NodePinnedAllocationStrategy())
        .withSettings(ClusterShardingSettings.create(system).withRole(role).withNoPassivationStrategy())
        .withMessageExtractor(new NodeKeyMessageExtractor<>()));
  }

  /** What the media thread calls for endpoint {@code endpointId}: one message to its entity per piece of news. */
  public static MediaListener listener(RecipientRef<Command> entity) {
    return new MediaListener() {
      public void firstPacket(String endpointId) {
        entity.tell(new FirstPacket());
      }

      public void dtmf(String endpointId, char digit, int durationMs) {
        entity.tell(new Digit(digit, durationMs));
      }

      public void rtcpBye(String endpointId, long[] ssrcs, String reason) {
        List<Long> list = new ArrayList<>(ssrcs.length);
        for (long ssrc : ssrcs) list.add(ssrc);
        entity.tell(new RtcpBye(list, reason));
      }

      public void mediaTimeout(String endpointId, long silentMs) {
        entity.tell(new MediaTimeout(silentMs));
      }

      public void speechStarted(String endpointId) {
        entity.tell(new SpeechStarted());
      }

      public void silence(String endpointId, long silenceMs) {
        entity.tell(new Silence(silenceMs));
      }

      public void sourceFinished(String endpointId, String error) {
        entity.tell(new SourceFinished(error));
      }
    };
  }

  /**
   * @param owners how to reach a session by id (through sharding; a probe in tests)
   */
  public static Behavior<Command> create(String endpointId, MediaReactor reactor,
                                         Function<String, RecipientRef<CallSession.Command>> owners) {
    return Behaviors.withStash(64, stash -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(OpenTimeout.INSTANCE, OPEN_TIMEOUT);
      return new EndpointEntity(endpointId, reactor, owners, stash).unopened();
    }));
  }

  /**
   * How long an entity waits for its session's Open. Messages for an endpoint that is already gone
   * (news racing its Close, a late Loaded) start a fresh entity; it must not live on.
   */
  private static final java.time.Duration OPEN_TIMEOUT = java.time.Duration.ofSeconds(10);

  private enum OpenTimeout implements Command { INSTANCE }

  private final String endpointId;
  private final MediaReactor reactor;
  private final Function<String, RecipientRef<CallSession.Command>> owners;
  private final StashBuffer<Command> stash;

  private EndpointEntity(String endpointId, MediaReactor reactor, Function<String, RecipientRef<CallSession.Command>> owners,
                         StashBuffer<Command> stash) {
    this.endpointId = endpointId;
    this.reactor = reactor;
    this.owners = owners;
    this.stash = stash;
  }

  /**
   * Packets may arrive (and their news with them) before the session's Open does: keep them for later,
   * for a while.
   */
  private Behavior<Command> unopened() {
    return Behaviors.receive(Command.class)
        .onMessage(Open.class, open -> stash.unstashAll(open(open.sessionId(), open.port(), open.type(), open.state())))
        .onMessage(OpenTimeout.class, m -> Behaviors.stopped())
        .onAnyMessage(other -> {
          if (!stash.isFull()) stash.stash(other);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> open(String owner, MediaPort port, String type, String state) {
    return Behaviors.receive(Command.class)
        .onMessage(FirstPacket.class, m -> {
          if (!state.equals("new")) return Behaviors.same();
          tell(owner, new EventPayload.EndpointStateChanged(endpointId, state, "connected"));
          return open(owner, port, type, "connected");
        })
        .onMessage(SourceFinished.class, m -> finished(owner, port, type, state, m.error()))
        .onMessage(LoadFailed.class, m -> {
          port.closeSource(); // nothing more to play: stop its ticks
          return finished(owner, port, type, state, m.error());
        })
        .onMessage(Loaded.class, m -> {
          if (!state.equals("buffering")) return Behaviors.same();
          tell(owner, new EventPayload.EndpointStateChanged(endpointId, state, "playing"));
          return open(owner, port, type, "playing");
        })
        .onMessage(Pause.class, m -> {
          if (!state.equals("playing")) return refuse(m.replyTo(), "cannot pause: the file is " + state);
          player(port).pause();
          m.replyTo().tell(StatusReply.success(Done.getInstance()));
          tell(owner, new EventPayload.EndpointStateChanged(endpointId, state, "paused"));
          return open(owner, port, type, "paused");
        })
        .onMessage(Resume.class, m -> {
          if (!state.equals("paused")) return refuse(m.replyTo(), "cannot resume: the file is " + state);
          player(port).resume();
          m.replyTo().tell(StatusReply.success(Done.getInstance()));
          tell(owner, new EventPayload.EndpointStateChanged(endpointId, state, "playing"));
          return open(owner, port, type, "playing");
        })
        .onMessage(Seek.class, m -> {
          if (state.equals("finished")) return refuse(m.replyTo(), "cannot seek: the file has finished");
          player(port).seek(m.positionMs());
          m.replyTo().tell(StatusReply.success(Done.getInstance()));
          return Behaviors.same();
        })
        .onMessage(Digit.class, m -> news(owner, new EventPayload.Dtmf(endpointId, String.valueOf(m.digit()), m.durationMs())))
        .onMessage(RtcpBye.class, m -> news(owner, new EventPayload.EndpointRtcpBye(endpointId, m.ssrcs(), m.reason())))
        .onMessage(MediaTimeout.class, m -> news(owner, new EventPayload.EndpointMediaTimeout(endpointId, m.silentMs())))
        .onMessage(SpeechStarted.class, m -> news(owner, new EventPayload.VadSpeechStarted(endpointId)))
        .onMessage(Silence.class, m -> news(owner, new EventPayload.VadSilence(endpointId, m.silenceMs())))
        .onMessage(MoveTo.class, m -> open(m.sessionId(), port, type, state))
        .onMessage(Open.class, m -> Behaviors.same()) // a duplicate: the first one holds
        .onMessage(OpenTimeout.class, m -> Behaviors.same()) // opened in time
        .onMessage(Close.class, m -> {
          reactor.close(port);
          return Behaviors.stopped();
        })
        .build();
  }

  private Behavior<Command> finished(String owner, MediaPort port, String type, String state, String error) {
    if (state.equals("finished")) return Behaviors.same();
    tell(owner, new EventPayload.EndpointStateChanged(endpointId, state, "finished"));
    tell(owner, type.equals("tone") ? new EventPayload.EndpointToneFinished(endpointId)
        : new EventPayload.EndpointFileFinished(endpointId, error == null ? "completed" : "error", error));
    return open(owner, port, type, "finished");
  }

  private static FilePlayer player(MediaPort port) {
    if (port.source() instanceof FilePlayer p) return p;
    throw new IllegalStateException("not a file endpoint");
  }

  private static Behavior<Command> refuse(ActorRef<StatusReply<Done>> replyTo, String message) {
    replyTo.tell(Refusal.reply(ErrorCode.ENDPOINT_ERROR, message));
    return Behaviors.same();
  }

  private Behavior<Command> news(String owner, EventPayload event) {
    tell(owner, event);
    return Behaviors.same();
  }

  private void tell(String owner, EventPayload event) {
    owners.apply(owner).tell(new CallSession.EndpointNews(endpointId, event));
  }
}
