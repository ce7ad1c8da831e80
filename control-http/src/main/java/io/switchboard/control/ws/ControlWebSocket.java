package io.switchboard.control.ws;

import io.switchboard.control.gateway.SessionGateway;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * Builds the stream of one {@code /control} WebSocket: messages in are cut to
 * {@code max-message-size} and handed to a new {@link ConnectionActor} with backpressure; frames out
 * come from that actor through a backpressured source. Closing either side stops the actor.
 */
public final class ControlWebSocket {

  private final ActorSystem<?> system;
  private final SessionGateway gateway;
  private final AccessUrls urls;
  private final int maxMessageSize;
  private final int criticalQueue;
  private final int eventQueue;
  private final AtomicLong connections = new AtomicLong();

  public ControlWebSocket(ActorSystem<?> system, SessionGateway gateway, AccessUrls urls,
                          int maxMessageSize, int criticalQueue, int eventQueue) {
    this.system = system;
    this.gateway = gateway;
    this.urls = urls;
    this.maxMessageSize = maxMessageSize;
    this.criticalQueue = criticalQueue;
    this.eventQueue = eventQueue;
  }

  /** The flow of a new connection whose API key is limited to {@code keyApp} (null: unrestricted). */
  public Flow<Message, Message, NotUsed> flow(String keyApp) {
    var settings = new ConnectionActor.Settings(keyApp, criticalQueue, eventQueue);
    ActorRef<ConnectionActor.Command> connection = system.systemActorOf(
        ConnectionActor.create(gateway, settings, urls), "control-" + connections.incrementAndGet(), Props.empty());

    Pair<ActorRef<ConnectionActor.Outgoing>, Source<ConnectionActor.Outgoing, NotUsed>> out =
        ActorSource.<ConnectionActor.Outgoing, ConnectionActor.Command>actorRefWithBackpressure(
                connection,
                ConnectionActor.OutboundAck.INSTANCE,
                o -> o == ConnectionActor.Close.INSTANCE ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                o -> Optional.empty())
            .preMaterialize(system);
    connection.tell(new ConnectionActor.OutboundAttached(out.first()));

    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, this::toFrame)
        .to(ActorSink.actorRefWithBackpressure(
            connection,
            (ActorRef<ConnectionActor.Ack> ack, ConnectionActor.Frame frame) -> new ConnectionActor.Inbound(frame, ack),
            ConnectionActor.StreamStarted::new,
            ConnectionActor.Ack.INSTANCE,
            ConnectionActor.StreamEnded.INSTANCE,
            ConnectionActor.StreamFailed::new));

    Source<Message, NotUsed> frames = out.second()
        .mapConcat(o -> ((ConnectionActor.OutFrames) o).texts())
        .map(text -> (Message) TextMessage.create(text));
    return Flow.fromSinkAndSourceCoupled(in, frames);
  }

  /** A whole message, or a marker when it is too large or binary; oversize streams are drained, not kept. */
  private CompletionStage<ConnectionActor.Frame> toFrame(Message message) {
    if (message instanceof TextMessage text) {
      if (text.isStrict()) {
        String s = text.getStrictText();
        return CompletableFuture.completedFuture(
            s.length() > maxMessageSize ? new ConnectionActor.TooLarge(s.length()) : new ConnectionActor.Text(s));
      }
      return text.getStreamedText()
          .runFold(new StringBuilder(), (sb, part) -> sb.length() <= maxMessageSize ? sb.append(part) : sb, system)
          .thenApply(sb -> sb.length() > maxMessageSize
              ? new ConnectionActor.TooLarge(sb.length())
              : new ConnectionActor.Text(sb.toString()));
    }
    BinaryMessage binary = (BinaryMessage) message;
    return binary.getStreamedData().runWith(Sink.ignore(), system).thenApply(done -> ConnectionActor.Binary.INSTANCE);
  }
}
