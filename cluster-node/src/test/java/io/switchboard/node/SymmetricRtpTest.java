package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.node.RelayTests.Leg;
import java.net.DatagramPacket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where an endpoint sends its peer's media (symmetric RTP with a learning window), and what the node
 * says about a peer that goes quiet (media timeout, statistics, idle sessions), seen from real UDP peers.
 */
class SymmetricRtpTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.media.port-min = 31500
        switchboard.media.port-max = 31515
        switchboard.media.media-timeout = 600ms
        switchboard.media.learning-window = 1s
        switchboard.media.rtcp-interval = 1h
        switchboard.session.disconnect-timeout = 500ms
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static final byte[] AUDIO = {1, 2, 3, 4};

  /** The payload of the next packet at {@code peer} within {@code ms}, or null. */
  private static byte[] next(RtpPeer peer, int ms) throws Exception {
    DatagramPacket p = peer.receive(ms);
    return p == null ? null : RtpPeer.payload(p);
  }

  private static JsonNode endpoint(ControlClient c, String endpointId) {
    for (JsonNode e : c.ok("session.info", null).get("endpoints")) {
      if (e.get("endpoint_id").asText().equals(endpointId)) return e;
    }
    throw new AssertionError("no endpoint " + endpointId);
  }

  @Test
  void mediaGoesWhereThePeerSendsFromAndANewSourceTakesOverOnlyWithinTheWindow() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws());
         RtpPeer sdpAddress = new RtpPeer(1); RtpPeer behindNat = new RtpPeer(1); RtpPeer rebound = new RtpPeer(1);
         RtpPeer stranger = new RtpPeer(9); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      // the caller's SDP names one port, but its packets come from another (a NAT in between)
      Leg la = RelayTests.createFromOffer(c, sdpAddress.offer("0", ""), "sendrecv");
      Leg lb = RelayTests.createFromOffer(c, b.offer("0", ""), "sendrecv");

      b.sendRtp(lb.port(), 0, AUDIO);
      assertArrayEquals(AUDIO, next(sdpAddress, 2000), "before the caller's first packet, its SDP address is used");

      behindNat.sendRtp(la.port(), 0, new byte[] {5});
      assertArrayEquals(new byte[] {5}, next(b, 2000));
      b.sendRtp(lb.port(), 0, AUDIO);
      assertArrayEquals(AUDIO, next(behindNat, 2000), "after it, media goes where the packets come from");
      assertNull(next(sdpAddress, 200));
      assertEquals("127.0.0.1:" + behindNat.port(), endpoint(c, la.endpointId()).get("remote_address").asText());

      // the NAT rebinds within the learning window: the new source takes over
      rebound.sendRtp(la.port(), 0, new byte[] {6});
      assertArrayEquals(new byte[] {6}, next(b, 2000));
      b.sendRtp(lb.port(), 0, AUDIO);
      assertArrayEquals(AUDIO, next(rebound, 2000));
      assertNull(next(behindNat, 200));

      Thread.sleep(1100); // the window is over: the address is fixed
      long droppedBefore = droppedOf(c, la.endpointId());
      stranger.sendRtp(la.port(), 0, new byte[] {7});
      assertNull(next(b, 400), "a stranger's packet after the window is not relayed");
      b.sendRtp(lb.port(), 0, AUDIO);
      assertArrayEquals(AUDIO, next(rebound, 2000), "and does not move the peer's media");
      assertNull(next(stranger, 200));
      assertEquals(droppedBefore + 1, droppedOf(c, la.endpointId()), "the stranger's packet is counted as dropped");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aPacketOfAnUnnegotiatedPayloadTypeDoesNotCaptureTheEndpoint() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer stray = new RtpPeer(7);
         RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      Leg lb = RelayTests.createFromOffer(c, b.offer("0", ""), "sendrecv");
      stray.sendRtp(la.port(), 99, AUDIO); // not PCMU, not telephone-event
      assertNull(next(b, 300));
      assertEquals("new", endpoint(c, la.endpointId()).get("state").asText(), "a dropped packet does not connect the endpoint");
      assertEquals(1, droppedOf(c, la.endpointId()));
      b.sendRtp(lb.port(), 0, AUDIO);
      assertArrayEquals(AUDIO, next(a, 2000), "media still goes to the SDP address, not to the stray sender");
      assertNull(next(stray, 200));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSilentPeerRaisesOneMediaTimeoutPerPeriodAndStatisticsKeepTheTruth() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      Leg la = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      a.sendRtp(la.port(), 0, AUDIO);
      c.awaitEvent("endpoint.state_changed");

      long first = c.awaitEvent("endpoint.media_timeout").get("data").get("duration_ms").asLong();
      long second = c.awaitEvent("endpoint.media_timeout").get("data").get("duration_ms").asLong();
      assertTrue(first >= 600 && first < 1000, "the first after one period of silence: " + first);
      assertTrue(second >= 1200 && second < 2000, "the next a period later, counting the whole silence: " + second);

      c.ok("stats.subscribe", Map.of("interval_ms", 100));
      JsonNode inbound = c.awaitEvent("stats").get("data").get("endpoints").get(0).get("inbound");
      assertTrue(inbound.get("last_received_ms_ago").asLong() >= 1200,
          "a media timeout does not reset the time since the last packet: " + inbound);
      c.ok("stats.unsubscribe", null);

      a.sendRtp(la.port(), 0, AUDIO); // packets resume: the timeout is armed from this one
      long resumed = System.nanoTime();
      long third;
      do {
        third = c.awaitEvent("endpoint.media_timeout").get("data").get("duration_ms").asLong();
      } while (third >= 1200 && (System.nanoTime() - resumed) / 1_000_000 < 500); // one raised before the packet came
      assertTrue(third >= 600 && third < 1000, "counted from the packet that resumed the media: " + third);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSessionWhosePeersWentQuietIdlesOut() throws Exception {
    try (TestNode idle = TestNode.start("""
             switchboard.media.port-min = 31520
             switchboard.media.port-max = 31523
             switchboard.media.media-timeout = 300ms
             switchboard.session.idle-timeout = 1500ms
             """);
         ControlClient c = ControlClient.connect(idle.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      Leg la = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      a.sendRtp(la.port(), 0, AUDIO);
      c.awaitEvent("endpoint.state_changed");
      long quietSince = System.nanoTime();
      JsonNode event = c.awaitEvent("session.idle_timeout");
      long after = (System.nanoTime() - quietSince) / 1_000_000;
      assertNotNull(event.get("data").get("session_id"));
      assertTrue(after >= 1400, "not before the idle timeout: " + after);
      c.awaitEvent("app.terminated");
    }
  }

  /** The endpoint's inbound drop count now. */
  private static long droppedOf(ControlClient c, String endpointId) {
    c.ok("stats.subscribe", Map.of("interval_ms", 100));
    try {
      return RelayTests.nextInbound(c, endpointId).get("dropped").asLong();
    } finally {
      c.ok("stats.unsubscribe", null);
    }
  }
}
