package io.switchboard.media.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.switchboard.media.sdp.Direction;
import io.switchboard.media.sdp.OfferAnswer;
import io.switchboard.media.session.CallSession;
import io.switchboard.media.session.EventPayload;
import io.switchboard.media.transport.MediaPort;
import io.switchboard.media.transport.MediaReactor;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The endpoint entity's state machine, driven by a real UDP peer on loopback through a real media port,
 * with probes standing in for the sessions that own it.
 */
class EndpointEntityTest {

  static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("""
      switchboard.media.port-min = 32100
      switchboard.media.port-max = 32109
      switchboard.media.media-timeout = 400ms
      """).withFallback(ActorTestKit.applicationTestConfig()));
  static final MediaReactor reactor = MediaReactor.get(kit.system());

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  final TestProbe<CallSession.Command> first = kit.createTestProbe();
  final TestProbe<CallSession.Command> second = kit.createTestProbe();
  final Map<String, ActorRef<CallSession.Command>> sessions = Map.of("s1", first.ref(), "s2", second.ref());

  record Live(ActorRef<EndpointEntity.Command> entity, MediaPort port, DatagramSocket peer) {}

  /** An endpoint answering the peer's offer, its media already live, its entity not yet opened. */
  Live negotiate(String endpointId) throws Exception {
    DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    String offer = "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + peer.getLocalPort() + " RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    MediaReactor.PortPair pair = reactor.allocate();
    OfferAnswer.Negotiated n = OfferAnswer.answer(offer, Direction.SENDRECV,
        new OfferAnswer.Local("127.0.0.1", pair.rtpPort(), pair.rtpPort() + 1, 1)).negotiated();
    ActorRef<EndpointEntity.Command> entity = kit.spawn(EndpointEntity.create(endpointId, reactor, sessions::get));
    MediaPort port = reactor.activate(endpointId, pair, n, EndpointEntity.listener(entity));
    return new Live(entity, port, peer);
  }

  static void send(DatagramSocket peer, int toPort, int pt, int seq, byte[] payload) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) 0x80).put((byte) pt).putShort((short) seq).putInt(seq * 160).putInt(0x5151).put(payload);
    peer.send(new DatagramPacket(b.array(), b.capacity(), new InetSocketAddress("127.0.0.1", toPort)));
  }

  static <T extends EventPayload> T news(TestProbe<CallSession.Command> owner, String endpointId, Class<T> type) {
    CallSession.EndpointNews news = owner.expectMessageClass(CallSession.EndpointNews.class, Duration.ofSeconds(3));
    assertEquals(endpointId, news.endpointId());
    return assertInstanceOf(type, news.event());
  }

  @Test
  void newsBeforeOpenWaitsThenConnectsOnceAndFollowsTheOwner() throws Exception {
    Live e = negotiate("k1-e1");
    try (DatagramSocket peer = e.peer()) {
      send(peer, e.port().rtpPort(), 0, 1, new byte[160]); // the peer is quicker than the session's Open
      Thread.sleep(100);
      first.expectNoMessage(Duration.ofMillis(100));

      e.entity().tell(new EndpointEntity.Open("s1", e.port(), "rtp", "new"));
      var change = news(first, "k1-e1", EventPayload.EndpointStateChanged.class);
      assertEquals("new", change.oldState());
      assertEquals("connected", change.newState());
      send(peer, e.port().rtpPort(), 0, 2, new byte[160]);
      first.expectNoMessage(Duration.ofMillis(200)); // connected once

      // RTCP BYE on the RTCP port
      byte[] bye = {(byte) 0x81, (byte) 203, 0, 1, 0, 0, 0x51, 0x51};
      peer.send(new DatagramPacket(bye, bye.length, new InetSocketAddress("127.0.0.1", e.port().rtpPort() + 1)));
      var rtcpBye = news(first, "k1-e1", EventPayload.EndpointRtcpBye.class);
      assertEquals(0x5151L, rtcpBye.ssrcList().get(0));

      // transferred: the next digit is news for the new owner only
      e.entity().tell(new EndpointEntity.MoveTo("s2"));
      for (int i = 0; i < 4; i++) {
        int duration = 160 * (i + 1);
        send(peer, e.port().rtpPort(), 101, 3 + i, new byte[] {5, (byte) (i == 3 ? 0x8a : 0x0a), (byte) (duration >> 8), (byte) duration});
      }
      var digit = news(second, "k1-e1", EventPayload.Dtmf.class);
      assertEquals("5", digit.digit());
      first.expectNoMessage(Duration.ofMillis(100));

      // silence: a media timeout for the owner
      var timeout = news(second, "k1-e1", EventPayload.EndpointMediaTimeout.class);
      assertTrue(timeout.durationMs() >= 400);
    }
  }

  @Test
  void aLocalSourcePlaysThenFinishesOnce() {
    ActorRef<EndpointEntity.Command> entity = kit.spawn(EndpointEntity.create("k1-t1", reactor, sessions::get));
    var spec = io.switchboard.media.source.ToneSpec.of("beep", 800.0, 100L, null);
    MediaPort port = reactor.newSource("k1-t1", new io.switchboard.media.source.ToneGenerator(spec), EndpointEntity.listener(entity));
    entity.tell(new EndpointEntity.Open("s1", port, "tone", "playing"));
    reactor.play(port);
    var change = news(first, "k1-t1", EventPayload.EndpointStateChanged.class);
    assertEquals("playing", change.oldState());
    assertEquals("finished", change.newState());
    news(first, "k1-t1", EventPayload.EndpointToneFinished.class);
    first.expectNoMessage(Duration.ofMillis(200));
    entity.tell(EndpointEntity.Close.INSTANCE);
    kit.createTestProbe().expectTerminated(entity, Duration.ofSeconds(3));
  }

  @Test
  void closeReleasesTheSocketsAndStops() throws Exception {
    Live e = negotiate("k1-e2");
    e.peer().close();
    int rtpPort = e.port().rtpPort();
    int free = reactor.ports().available();
    TestProbe<Object> watcher = kit.createTestProbe();
    e.entity().tell(EndpointEntity.Close.INSTANCE); // before Open: kept, then done once opened
    e.entity().tell(new EndpointEntity.Open("s1", e.port(), "rtp", "new"));
    watcher.expectTerminated(e.entity(), Duration.ofSeconds(3));
    watcher.awaitAssert(() -> {
      assertEquals(free + 1, reactor.ports().available(), "the pair is back in the pool");
      return null;
    });
    try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", rtpPort))) {
      assertEquals(rtpPort, again.getLocalPort(), "the RTP port is really closed");
    }
    first.expectNoMessage(Duration.ofMillis(100));
  }
}
