package io.switchboard.media.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.cluster.Refusal;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message that crosses nodes round-trips through jackson-cbor (Java serialization is off). */
class ClusterMessageSerializationTest {

  static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.port = 0
      pekko.actor.allow-java-serialization = off
      """).withFallback(ActorTestKit.applicationTestConfig()));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static void roundTrips(Object message) {
    var serializer = SerializationExtension.get(kit.system().classicSystem()).findSerializerFor(message);
    assertEquals("JacksonCborSerializer", serializer.getClass().getSimpleName(), "bound through the marker");
    kit.serializationTestKit().verifySerialization(message, true);
  }

  @Test
  void sessionCommandsAndRepliesRoundTrip() {
    TestProbe<Object> probe = kit.createTestProbe();
    var customData = new ObjectMapper().createObjectNode().put("k", "v");
    var events = kit.<SessionEvent>createTestProbe().ref();
    roundTrips(new CallSession.Create(new CallSession.SessionSpec("app", customData, "secret"), events, probe.ref().narrow()));
    roundTrips(new CallSession.Create(new CallSession.SessionSpec(null, null, "secret"), null, probe.ref().narrow()));
    roundTrips(new CallSession.Attach(Caller.connection(events, "app"), 3, probe.ref().narrow()));
    roundTrips(new CallSession.Destroy(Caller.api(null), "http.delete", probe.ref().narrow()));
    roundTrips(new CallSession.GetInfo(Caller.api("a"), probe.ref().narrow()));
    roundTrips(new CallSession.HandleHttpRequest("s", "POST", "/p", Map.of("H", "v"), "body", probe.ref().narrow()));
    roundTrips(new CallSession.RespondHttp(Caller.api(null), "r", 200, Map.of(), "", probe.ref().narrow()));
    roundTrips(CallSession.Shutdown.INSTANCE);
    roundTrips(new CallSession.Created("id"));
    roundTrips(new CallSession.HttpAnswer(202, Map.of("Content-Type", "application/json"), "{}", false));
    roundTrips(new CallSession.Attached("id", List.of(new SessionEvent("id", 1, new EventPayload.AppStarted("id", "a", customData))), 2));
    roundTrips(new SessionListing.ListSessions(null, probe.ref().narrow()));
    roundTrips(new CallSession.CreateEndpointFromOffer(Caller.api(null), "v=0", "sendrecv", probe.ref().narrow()));
    roundTrips(new CallSession.CreateEndpointOffer(Caller.api(null), "sendonly", List.of("PCMU"), probe.ref().narrow()));
    roundTrips(new CallSession.CreateEndpointOffer(Caller.api(null), "sendonly", null, probe.ref().narrow()));
    roundTrips(new CallSession.AcceptAnswer(Caller.api(null), "e", "v=0", probe.ref().narrow()));
    roundTrips(new CallSession.RemoveEndpoint(Caller.api(null), "e", probe.ref().narrow()));
    roundTrips(new CallSession.EndpointCreated("e", "v=0"));
    roundTrips(new CallSession.EndpointNews("e", new EventPayload.EndpointStateChanged("e", "new", "connected")));
    roundTrips(new CallSession.EndpointNews("e", new EventPayload.EndpointRtcpBye("e", List.of(1L, 2L), null)));
    roundTrips(new io.switchboard.media.endpoint.EndpointEntity.MoveTo("s"));
    roundTrips(io.switchboard.media.endpoint.EndpointEntity.Close.INSTANCE);
    roundTrips(new CallSession.TransferEndpoint(Caller.api(null), "e", "t", probe.ref().narrow()));
    roundTrips(new CallSession.Transferred("e", "t"));
    roundTrips(new CallSession.BridgeSessions(Caller.api(null), "t", "sendrecv", probe.ref().narrow()));
    roundTrips(new CallSession.Bridged("x", "y"));
    roundTrips(new CallSession.RemoveBridgePartner("y"));
    roundTrips(new CallSession.AdoptEndpoint("token", "s", probe.ref().narrow()));
    roundTrips(new CallSession.InjectDtmf(Caller.api(null), "e", "#", 160, 10, probe.ref().narrow()));
    roundTrips(new CallSession.SubscribeStats(Caller.api(null), 1000, probe.ref().narrow()));
    roundTrips(new CallSession.UnsubscribeStats(Caller.api(null), probe.ref().narrow()));
    roundTrips(new SessionListing.Listed(List.of(new SessionSummary("id", null, "orphaned", 1, 0, 1, null, "n", List.of(new EndpointSummary("e", "rtp", "sendrecv", "new", "PCMU/8000", "127.0.0.1:30000", null))))));
  }

  @Test
  void everyEventPayloadRoundTrips() {
    List<EventPayload> payloads = List.of(
        new EventPayload.AppStarted("s", "a", null),
        new EventPayload.AppHttpRequest("r", "GET", "/", Map.of("a", "b"), ""),
        new EventPayload.AppTerminating("s", "x"),
        new EventPayload.AppTerminated("s", "x"),
        new EventPayload.SessionOrphaned(30000),
        new EventPayload.SessionIdleTimeout("s", 300),
        new EventPayload.SessionEmptyTimeout("s", 30),
        new EventPayload.EndpointStateChanged("e", "new", "connected"),
        new EventPayload.Dtmf("e", "5", 160),
        new EventPayload.EndpointRtcpBye("e", List.of(1L, 4294967295L), null),
        new EventPayload.EndpointMediaTimeout("e", 5000),
        new EventPayload.EndpointTransferredOut("e", "t"),
        new EventPayload.EndpointTransferredIn("e", "s", "rtp", "sendrecv", "connected"),
        new EventPayload.Stats("s", List.of(new EndpointStats("e", new EndpointStats.Inbound(10, 1720, 1, 0.5, 20L, 0),
            new EndpointStats.Outbound(9, 1548), null, "PCMU/8000", "connected"),
            new EndpointStats("f", new EndpointStats.Inbound(0, 0, 0, 0, null, 0), new EndpointStats.Outbound(0, 0), 12.5, null, "new"))));
    for (EventPayload p : payloads) roundTrips(new SessionEvent("s", 7, p));
  }

  @Test
  void refusalsKeepTheirCodeAcrossTheWire() {
    StatusReply<Object> reply = Refusal.reply(ErrorCode.SESSION_NOT_ORPHANED, "busy: really");
    kit.serializationTestKit().verifySerialization(reply, false);
    Object back = kit.serializationTestKit().verifySerialization(reply, false);
    var refusal = Refusal.from(((StatusReply<?>) back).getError()).orElseThrow();
    assertEquals(ErrorCode.SESSION_NOT_ORPHANED, refusal.code());
    assertEquals("busy: really", refusal.message());
  }
}
