package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.media.codec.G711;
import io.switchboard.media.sdp.SessionDescription;
import java.net.DatagramPacket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real UDP peers on loopback exchange RTP through a node's endpoints; the tests check the bytes they
 * get. Each subclass runs them all on a node of its own: {@link RtpRelayTest} with native media I/O
 * where the build has it, {@link RtpRelayNioTest} with NIO.
 */
abstract class RelayTests {

  static TestNode node;

  /** The relay tests' node: eight ports from {@code portMin}, short timeouts, and {@code more} settings. */
  static TestNode startNode(int portMin, String more) {
    return TestNode.start("switchboard.media.port-min = " + portMin + "\n"
        + "switchboard.media.port-max = " + (portMin + 7) + "\n"
        + """
        switchboard.media.media-timeout = 1s
        switchboard.media.rtcp-interval = 400ms
        switchboard.session.disconnect-timeout = 500ms
        """ + more);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * A test that fails half-way leaves its sessions to the disconnect timeout; the next test waits for
   * them to end, so their ports are free again (the node has eight) and one failure stays one.
   */
  @AfterEach
  void sessionsEnded() throws Exception {
    long deadline = System.currentTimeMillis() + 5000;
    while (Http.get(node.http() + "/api/v1/sessions").json().get("sessions").size() > 0) {
      assertTrue(System.currentTimeMillis() < deadline, "the test's sessions ended");
      Thread.sleep(50);
    }
  }

  record Leg(String endpointId, int port) {}

  static Leg createFromOffer(ControlClient c, String offer, String direction) throws Exception {
    JsonNode r = c.ok("endpoint.create_from_offer", Map.of("sdp", offer, "direction", direction));
    var answer = SessionDescription.parse(r.get("sdp_answer").asText()).audio();
    assertEquals("127.0.0.1", answer.connection());
    return new Leg(r.get("endpoint_id").asText(), answer.port());
  }

  static byte[] tone(int samples) {
    short[] pcm = new short[samples];
    for (int i = 0; i < samples; i++) pcm[i] = (short) (6000 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(samples);
    G711.PCMU.encode(pcm, samples, out, 0);
    return out.array();
  }

  /** Where the build compiled the native library (Linux with a C compiler), the node must be using it. */
  @Test
  void theMediaThreadUsesTheNativeCallsWhereTheBuildHasThem() throws Exception {
    String arch = System.getProperty("os.arch").replace("amd64", "x86_64");
    boolean built = RelayTests.class.getResource("/META-INF/native/libswitchboard-udp-linux-" + arch + ".so") != null;
    String metrics = Http.get(node.http() + "/metrics").body();
    assertTrue(metrics.contains("\nswitchboard_media_native_io " + (built ? "1.0" : "0.0") + "\n"), metrics);
  }

  @Test
  void pcmuCallerAndPcmaCalleeHearEachOtherWithDtmfRemapped() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(0x1111); RtpPeer b = new RtpPeer(0x2222)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("8 96", "a=rtpmap:96 telephone-event/8000\r\n"), "sendrecv");

      // A speaks PCMU; B must hear the same audio in PCMA, from the port it was told, in A's order
      byte[] voice = tone(160);
      for (int i = 0; i < 5; i++) a.sendRtp(la.port(), 0, voice);
      int firstSeq = -1;
      for (int i = 0; i < 5; i++) {
        DatagramPacket got = b.receive(2000);
        assertNotNull(got, "packet " + i + " reached B");
        assertEquals(lb.port(), got.getPort(), "symmetric RTP: sent from B's endpoint port");
        assertEquals(8, RtpPeer.pt(got));
        if (i == 0) firstSeq = RtpPeer.seq(got);
        assertEquals((firstSeq + i) & 0xffff, RtpPeer.seq(got));
        byte[] payload = RtpPeer.payload(got);
        assertEquals(160, payload.length);
        for (int s = 0; s < 160; s++) {
          int sent = G711.decodeSample(G711.PCMU, voice[s]);
          int heard = G711.decodeSample(G711.PCMA, payload[s]);
          assertTrue(Math.abs(sent - heard) <= Math.max(64, Math.abs(sent) / 8), "sample " + s + ": " + sent + " vs " + heard);
        }
      }
      // B answers in PCMA; A hears PCMU
      b.sendRtp(lb.port(), 8, new byte[160]);
      DatagramPacket back = a.receive(2000);
      assertNotNull(back);
      assertEquals(0, RtpPeer.pt(back));
      assertEquals(la.port(), back.getPort());

      assertConnected(c, la.endpointId(), lb.endpointId());

      // A presses 7: start, continuation, three end packets, all with the event's timestamp
      long ts = a.timestamp;
      byte[][] events = {ev(7, false, 160), ev(7, false, 320), ev(7, true, 800), ev(7, true, 800), ev(7, true, 800)};
      for (int i = 0; i < events.length; i++) a.sendRaw(la.port(), RtpPeer.packet(i == 0, 101, a.sequence++, ts, a.ssrc, events[i]));
      JsonNode dtmf = c.awaitEvent("dtmf").get("data");
      assertEquals(la.endpointId(), dtmf.get("endpoint_id").asText());
      assertEquals("7", dtmf.get("digit").asText());
      assertEquals(100, dtmf.get("duration_ms").asInt());
      int forwarded = 0;
      for (DatagramPacket p; (p = b.receive(500)) != null; ) {
        if (RtpPeer.pt(p) == 96) {
          forwarded++;
          assertEquals(7, p.getData()[12], "the event itself is forwarded untouched");
        }
      }
      assertEquals(5, forwarded, "telephone-event is forwarded with B's payload type, never transcoded");
      assertTrue(c.quietFor(300) || c.events.stream().noneMatch(e -> e.get("event").asText().equals("dtmf")),
          "the digit is reported once");
      c.ok("session.destroy", null);
    }
  }

  static byte[] ev(int event, boolean end, int duration) {
    return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | 10), (byte) (duration >> 8), (byte) duration};
  }

  static void assertConnected(ControlClient c, String... endpointIds) {
    for (int i = 0; i < endpointIds.length; i++) {
      JsonNode change = c.awaitEvent("endpoint.state_changed").get("data");
      assertEquals("new", change.get("old_state").asText());
      assertEquals("connected", change.get("new_state").asText());
    }
    JsonNode info = c.ok("session.info", null);
    assertEquals(endpointIds.length, info.get("endpoint_count").asInt());
    for (JsonNode e : info.get("endpoints")) {
      assertEquals("connected", e.get("state").asText());
      assertEquals("rtp", e.get("type").asText());
      assertTrue(e.get("local_address").asText().startsWith("127.0.0.1:310"));
    }
  }

  @Test
  void directionsDecideWhoHearsWhom() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("0", ""), "recvonly"); // we receive from B but send nothing to it
      b.sendRtp(lb.port(), 0, new byte[160]);
      assertNotNull(a.receive(2000), "B's audio reaches A");
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNull(b.receive(500), "nothing is sent to a recvonly endpoint");
      JsonNode info = c.ok("session.info", null);
      assertEquals("recvonly", info.get("endpoints").get(1).get("direction").asText());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSendonlyPeerHearsOthersButIsNotHeardAndAnInactiveOneNeither() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2); RtpPeer d = new RtpPeer(4)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      // sendonly: we only send to B; what B sends is not taken into the session
      JsonNode rb = c.ok("endpoint.create_from_offer", Map.of("sdp", b.offer("0", "a=sendrecv\r\n"), "direction", "sendonly"));
      Leg lb = new Leg(rb.get("endpoint_id").asText(), SessionDescription.parse(rb.get("sdp_answer").asText()).audio().port());
      assertTrue(rb.get("sdp_answer").asText().contains("a=sendonly\r\n"), "the answer tells B: " + rb);
      byte[] voice = tone(160);
      a.sendRtp(la.port(), 0, voice);
      DatagramPacket atB = b.receive(2000);
      assertNotNull(atB, "B hears A");
      assertEquals(lb.port(), atB.getPort());
      assertArrayEquals(voice, RtpPeer.payload(atB));
      for (int i = 0; i < 5; i++) b.sendRtp(lb.port(), 0, voice);
      assertNull(a.receive(500), "B's audio is not relayed to A");
      a.sendRtp(la.port(), 0, voice);
      assertNotNull(b.receive(2000), "and B still hears A after speaking");
      assertEquals("sendonly", c.ok("session.info", null).get("endpoints").get(1).get("direction").asText());

      // inactive: nothing to D, nothing from D
      c.ok("endpoint.remove", Map.of("endpoint_id", lb.endpointId()));
      JsonNode rd = c.ok("endpoint.create_from_offer", Map.of("sdp", d.offer("0", ""), "direction", "inactive"));
      Leg ld = new Leg(rd.get("endpoint_id").asText(), SessionDescription.parse(rd.get("sdp_answer").asText()).audio().port());
      assertTrue(rd.get("sdp_answer").asText().contains("a=inactive\r\n"), rd.toString());
      a.drain();
      for (int i = 0; i < 5; i++) a.sendRtp(la.port(), 0, voice);
      assertNull(d.receive(500), "nothing is sent to an inactive endpoint's peer");
      for (int i = 0; i < 5; i++) d.sendRtp(ld.port(), 0, voice);
      assertNull(a.receive(500), "nothing of an inactive endpoint's peer is relayed");
      assertEquals("inactive", c.ok("session.info", null).get("endpoints").get(1).get("direction").asText());
      c.ok("session.destroy", null);
    }
  }

  /** The {@code inbound} stats of one endpoint from the next {@code stats} event (stats must be subscribed). */
  static JsonNode nextInbound(ControlClient c, String endpointId) {
    for (JsonNode queued; (queued = c.frames.poll()) != null; ) c.events.add(queued);
    c.events.removeIf(e -> e.get("event").asText().equals("stats")); // older ones
    for (JsonNode e : c.awaitEvent("stats").get("data").get("endpoints")) {
      if (e.get("endpoint_id").asText().equals(endpointId)) return e.get("inbound");
    }
    throw new AssertionError("no stats for " + endpointId);
  }

  /** {@code inbound.dropped} once it has not changed for 300 ms. */
  static long settledDropped(ControlClient c, String endpointId) throws Exception {
    long last = -1;
    long deadline = System.currentTimeMillis() + 5000;
    while (System.currentTimeMillis() < deadline) {
      long now = nextInbound(c, endpointId).get("dropped").asLong();
      if (now == last) return now;
      last = now;
      Thread.sleep(300);
    }
    throw new AssertionError("inbound.dropped kept changing: " + last);
  }

  @Test
  void malformedPacketsAreDroppedAndMediaKeepsFlowing() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      createFromOffer(c, b.offer("0", ""), "sendrecv");
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNotNull(b.receive(2000));
      Random random = new Random(3550);
      for (int i = 0; i < 2000; i++) {
        byte[] junk = new byte[random.nextInt(60)];
        random.nextBytes(junk);
        if (junk.length > 1 && i % 2 == 0) junk[0] = (byte) 0x8F; // RTP-looking with a lying CSRC count
        a.sendRaw(la.port(), junk);
        a.sendRaw(la.port() + 1, junk); // and at the RTCP port
        if (i % 50 == 0) Thread.sleep(2); // a steady stream of junk, not a flood that overflows the socket buffer
      }
      a.sendRaw(la.port(), RtpPeer.packet(false, 0, 42, 1, 1, new byte[] {1, 2, 3}));
      byte[] marker = {9, 9, 9, 9};
      boolean seen = false;
      for (int attempt = 0; attempt < 10 && !seen; attempt++) {
        a.sendRtp(la.port(), 0, marker);
        for (DatagramPacket p; !seen && (p = b.receive(300)) != null; ) {
          seen = p.getLength() == 16 && RtpPeer.payload(p)[0] == 9;
        }
      }
      assertTrue(seen, "a valid packet after 4000 bad ones still gets through");
      assertEquals("controlled", c.ok("session.info", null).get("state").asText());

      // the drops are counted in stats: not exactly 4000 (a random packet may be valid RTP, the socket
      // buffer may overflow), but some, and never more than were sent
      c.ok("stats.subscribe", Map.of("interval_ms", 100));
      long fuzzed = settledDropped(c, la.endpointId());
      JsonNode inbound = nextInbound(c, la.endpointId());
      assertTrue(fuzzed > 0, "junk was counted as dropped: " + inbound);
      assertTrue(fuzzed <= 4000, "each bad packet is dropped once at most: " + inbound);

      // then exactly these 8, one of each kind, are counted
      byte[] version1 = RtpPeer.packet(false, 0, 7, 1, 1, new byte[0]);
      version1[0] = 0x40;
      byte[][] bad = {
          {(byte) 0x80, 0, 0}, // shorter than an RTP header
          version1, // RTP version 1
          Arrays.copyOf(new byte[] {(byte) 0x8F, 0}, 12), // 15 CSRCs announced, none there
          Arrays.copyOf(new byte[] {(byte) 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100}, 16), // extension of 100 words
          Arrays.copyOf(new byte[] {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 200}, 13), // 200 bytes of padding
          RtpPeer.packet(false, 96, 7, 1, 1, new byte[160]), // payload type 96 was not negotiated
          {(byte) 0x81, (byte) 201, 0, 50, 0, 0, 0, 1}, // RTCP (rtcp-mux style) whose length lies
      };
      b.drain();
      for (byte[] p : bad) a.sendRaw(la.port(), p);
      a.sendRaw(la.port() + 1, new byte[] {(byte) 0x81, (byte) 201, 0, 50, 0, 0, 0, 1}); // the same at the RTCP port
      a.sendRtp(la.port(), 0, marker);
      assertNotNull(b.receive(2000), "the valid packet after them is relayed");
      long deadline = System.currentTimeMillis() + 3000;
      long dropped = fuzzed;
      while (dropped < fuzzed + 8 && System.currentTimeMillis() < deadline) dropped = nextInbound(c, la.endpointId()).get("dropped").asLong();
      assertEquals(fuzzed + 8, settledDropped(c, la.endpointId()), "each of the 8 bad packets counted once");
      c.ok("stats.unsubscribe", null);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void rtcpByeAndMediaTimeoutAreReported() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(0xABCD)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      a.sendRtp(la.port(), 0, new byte[160]);
      c.awaitEvent("endpoint.state_changed");
      byte[] byeFrame = {(byte) 0x81, (byte) 203, 0, 2, 0, 0, (byte) 0xAB, (byte) 0xCD, 3, 'b', 'y', 'e'};
      // from another host: not the peer's, ignored
      try (java.net.DatagramSocket stranger = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.2", 0))) {
        stranger.send(new DatagramPacket(byeFrame, byeFrame.length, new java.net.InetSocketAddress("127.0.0.1", la.port() + 1)));
      }
      assertTrue(c.quietFor(300), "RTCP from a stranger raises nothing");
      // BYE with reason "bye" to the RTCP port, from the peer
      a.sendRaw(la.port() + 1, byeFrame);
      JsonNode bye = c.awaitEvent("endpoint.rtcp_bye").get("data");
      assertEquals(la.endpointId(), bye.get("endpoint_id").asText());
      assertEquals(0xABCD, bye.get("ssrc_list").get(0).asLong());
      assertEquals("bye", bye.get("reason").asText());
      JsonNode timeout = c.awaitEvent("endpoint.media_timeout").get("data");
      assertEquals(la.endpointId(), timeout.get("endpoint_id").asText());
      assertTrue(timeout.get("duration_ms").asLong() >= 1000);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void rtcpReportsGoBothWaysGiveTheRoundTripTimeAndEndWithBye() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(0xA0A0); RtpPeer b = new RtpPeer(0xB0B0)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", "a=rtcp-mux\r\n"), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("0", ""), "sendrecv");
      for (int i = 0; i < 10; i++) {
        a.sendRtp(la.port(), 0, new byte[160]);
        b.sendRtp(lb.port(), 0, new byte[160]);
      }
      long streamToA = 0;
      for (int i = 0; i < 10; i++) streamToA = RtpPeer.ssrc(a.receive(2000));
      a.drain();

      // A's endpoint reports on its rtcp-mux port: it sent 10 packets of 160 bytes and received A's up to its last number
      Report sr = null;
      for (int i = 0; i < 10 && (sr == null || sr.sender == null); i++) sr = Report.of(a.receiveRtcp(2000));
      assertNotNull(sr.sender, "a sender report: the endpoint sent RTP");
      assertEquals(la.port(), sr.from);
      assertEquals(streamToA, sr.sender[0], "the report is about the stream A receives");
      assertEquals(10, sr.sender[3], "packet count");
      assertEquals(1600, sr.sender[4], "payload octet count");
      assertNotNull(sr.block, "a report block about A's stream");
      assertEquals(0xA0A0, sr.block[1]);
      assertEquals(a.sequence - 1, sr.block[4], "extended highest sequence number");
      assertEquals(0, sr.block[3], "nothing lost");
      assertTrue(sr.cname, "CNAME in every compound packet");

      // A answers 150 ms later with a receiver report that claims no delay: the node sees a 150 ms round trip
      Thread.sleep(150);
      java.nio.ByteBuffer rr = java.nio.ByteBuffer.allocate(32);
      rr.put((byte) 0x81).put((byte) 201).putShort((short) 7).putInt(0xA0A0)
          .putInt((int) streamToA).putInt(0).putInt(0).putInt(0).putInt((int) sr.sender[1]).putInt(0);
      a.sendRaw(la.port(), rr.array());
      double rtt = -1;
      c.ok("stats.subscribe", Map.of("interval_ms", 100));
      for (int i = 0; i < 20 && rtt < 0; i++) {
        for (JsonNode e : c.awaitEvent("stats").get("data").get("endpoints")) {
          if (e.get("endpoint_id").asText().equals(la.endpointId()) && !e.get("rtt_ms").isNull()) rtt = e.get("rtt_ms").asDouble();
        }
      }
      assertTrue(rtt >= 145 && rtt < 1000, "rtt " + rtt);
      c.ok("stats.unsubscribe", null);

      // removing the endpoint says BYE for its stream
      c.ok("endpoint.remove", Map.of("endpoint_id", la.endpointId()));
      Report last = null;
      for (int i = 0; i < 10 && (last == null || !last.bye); i++) last = Report.of(a.receiveRtcp(2000));
      assertTrue(last.bye);
      assertEquals(streamToA, last.ssrc);
      c.ok("session.destroy", null);
    }
  }

  /** What a peer reads from one compound RTCP packet, through the node's own parser. */
  static final class Report implements io.switchboard.media.rtp.RtcpParser.Listener {
    int from;
    long ssrc;
    long[] sender;
    long[] block;
    boolean cname;
    boolean bye;

    static Report of(DatagramPacket p) {
      assertNotNull(p, "an RTCP packet arrived");
      Report r = new Report();
      r.from = p.getPort();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(p.getData(), 0, p.getLength());
      assertEquals(io.switchboard.media.rtp.DropReason.NONE, io.switchboard.media.rtp.RtcpParser.parse(buf, 0, p.getLength(), r));
      r.ssrc = buf.getInt(4) & 0xffffffffL;
      for (int at = 0; at < p.getLength(); at += 4 * ((buf.getShort(at + 2) & 0xffff) + 1)) {
        if ((buf.get(at + 1) & 0xff) == 202) r.cname = buf.get(at + 8) == 1 && buf.get(at + 9) > 0;
      }
      return r;
    }

    @Override
    public void senderReport(long ssrc, long ntpMiddle32, long rtpTimestamp, long packets, long octets) {
      sender = new long[] {ssrc, ntpMiddle32, rtpTimestamp, packets, octets};
    }

    @Override
    public void reportBlock(long reporter, long source, int fraction, int cumulative, long highest, long jitter, long lsr, long dlsr) {
      block = new long[] {reporter, source, fraction, cumulative, highest, jitter, lsr, dlsr};
    }

    @Override
    public void bye(long[] ssrcs, String reason) {
      bye = true;
    }
  }

  @Test
  void aReceiverHearsOneStreamWhileItsSourcesChange() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(0xAAAA); RtpPeer b = new RtpPeer(0xBBBB); RtpPeer d = new RtpPeer(0xDDDD)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c1, b.offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"), "sendrecv");
      Leg ld = createFromOffer(c2, d.offer("0", ""), "sendrecv");

      // A talks to B while a digit is injected towards B: both in one stream, numbered without gaps or repeats
      java.util.List<DatagramPacket> heard = new java.util.ArrayList<>();
      c1.ok("endpoint.dtmf.inject", Map.of("endpoint_id", lb.endpointId(), "digit", "5", "duration_ms", 60));
      for (int i = 0; i < 10; i++) {
        a.sendRtp(la.port(), 0, tone(160));
        Thread.sleep(20);
      }
      for (DatagramPacket p; (p = b.receive(300)) != null; ) heard.add(p);
      assertEquals(10 + 3 + 3, heard.size(), "10 audio packets, a 60 ms digit and its 3 end packets");

      // A leaves; D is moved in from another session and takes over as B's source
      c1.ok("endpoint.remove", Map.of("endpoint_id", la.endpointId()));
      c2.ok("endpoint.transfer", Map.of("endpoint_id", ld.endpointId(), "target_session_id",
          c1.ok("session.info", null).get("session_id").asText()));
      awaitEndpointCount(c1, 2);
      Thread.sleep(100);
      for (int i = 0; i < 5; i++) {
        d.sendRtp(ld.port(), 0, tone(160));
        Thread.sleep(20);
      }
      for (DatagramPacket p; (p = b.receive(300)) != null; ) heard.add(p);
      assertEquals(16 + 5, heard.size());

      long ssrc = RtpPeer.ssrc(heard.get(0));
      java.util.TreeSet<Integer> numbers = new java.util.TreeSet<>();
      int first = RtpPeer.seq(heard.get(0));
      for (DatagramPacket p : heard) {
        assertEquals(ssrc, RtpPeer.ssrc(p), "one SSRC for B, whoever speaks");
        assertTrue(numbers.add((RtpPeer.seq(p) - first) & 0xffff), "no sequence number twice");
      }
      assertEquals(0, numbers.first());
      assertEquals(heard.size() - 1, numbers.last(), "no gaps");
      // D's first packet continues B's media clock: about 8 timestamp units per millisecond since A's last
      DatagramPacket lastOfA = null;
      for (DatagramPacket p : heard.subList(0, 16)) if (RtpPeer.pt(p) == 0) lastOfA = p;
      long step = (RtpPeer.timestamp(heard.get(16)) - RtpPeer.timestamp(lastOfA)) & 0xffffffffL;
      assertTrue(step > 160 && step < 8 * 3000, "timestamp step " + step);
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  @Test
  void portsAreLimitedAndReturnToThePool() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      String offer = a.offer("0", "");
      String first = null;
      for (int i = 0; i < 4; i++) {
        String id = c.ok("endpoint.create_from_offer", Map.of("sdp", offer)).get("endpoint_id").asText();
        if (first == null) first = id;
      }
      JsonNode refused = c.call("endpoint.create_from_offer", Map.of("sdp", offer));
      assertEquals("ENDPOINT_ERROR", refused.get("error").get("code").asText());
      assertTrue(refused.get("error").get("message").asText().contains("no free RTP port"));
      c.ok("endpoint.remove", Map.of("endpoint_id", first));
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.remove", Map.of("endpoint_id", first)));
      long deadline = System.currentTimeMillis() + 3000;
      JsonNode again;
      do {
        again = c.call("endpoint.create_from_offer", Map.of("sdp", offer));
      } while (!again.has("result") && System.currentTimeMillis() < deadline);
      assertTrue(again.has("result"), "the removed endpoint's ports came back: " + again);
      c.ok("session.destroy", null);
    }
    assertAllPortPairsFree(); // destroying the session released all four pairs
  }

  @Test
  void badSdpAndBadParamsAreClearErrors() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      assertEquals("NO_SESSION", c.errorCode("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""))));
      c.ok("session.create", null);
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_from_offer", Map.of()));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""), "direction", "up")));
      JsonNode noCodec = c.call("endpoint.create_from_offer", Map.of("sdp", a.offer("97", "a=rtpmap:97 opus/48000/2\r\n")));
      assertEquals("ENDPOINT_ERROR", noCodec.get("error").get("code").asText());
      assertTrue(noCodec.get("error").get("message").asText().contains("no common codec"));
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.create_from_offer", Map.of("sdp", "garbage")));
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.accept_answer", Map.of("endpoint_id", "nope", "sdp", "v=0")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_offer", Map.of("codecs", "PCMU")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_offer", Map.of("codecs", java.util.List.of("G729"))));
      assertEquals(0, c.ok("session.info", null).get("endpoint_count").asInt(), "nothing was created");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void offerAndAnswerFromOurSide() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      JsonNode offered = c.ok("endpoint.create_offer", Map.of("type", "rtp", "direction", "sendrecv", "codecs", java.util.List.of("PCMA")));
      var offer = SessionDescription.parse(offered.get("sdp_offer").asText()).audio();
      assertEquals(java.util.List.of("8", "101"), offer.formats());
      JsonNode waiting = c.ok("session.info", null).get("endpoints").get(1);
      assertTrue(waiting.get("codec").isNull(), "no codec while the offer awaits its answer: " + waiting);
      assertTrue(waiting.get("remote_address").isNull(), "no peer yet: " + waiting);
      assertEquals("127.0.0.1:" + offer.port(), waiting.get("local_address").asText());
      JsonNode answerer = c.ok("session.info", null).get("endpoints").get(0);
      assertEquals("PCMU/8000", answerer.get("codec").asText());
      assertEquals("127.0.0.1:" + a.port(), answerer.get("remote_address").asText(), "from A's SDP before it sends");
      String answer = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + b.port()
          + " RTP/AVP 8\r\na=sendrecv\r\n";
      c.ok("endpoint.accept_answer", Map.of("endpoint_id", offered.get("endpoint_id").asText(), "sdp", answer));
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.accept_answer",
          Map.of("endpoint_id", offered.get("endpoint_id").asText(), "sdp", answer)), "only one answer per offer");
      JsonNode answered = c.ok("session.info", null).get("endpoints").get(1);
      assertEquals("PCMA/8000", answered.get("codec").asText());
      assertEquals("127.0.0.1:" + b.port(), answered.get("remote_address").asText(), "the answer's address");
      a.sendRtp(la.port(), 0, tone(160));
      DatagramPacket got = b.receive(2000);
      assertNotNull(got, "the answerer's address from its SDP is used before it sends anything");
      assertEquals(8, RtpPeer.pt(got));
      assertEquals(offer.port(), got.getPort());
      byte[] expected = new byte[160];
      byte[] sent = tone(160);
      for (int i = 0; i < 160; i++) expected[i] = G711.ulawToAlaw(sent[i]);
      assertArrayEquals(expected, RtpPeer.payload(got));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void statsCountPacketsLossAndJitterPerEndpoint() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("0", ""), "sendrecv");
      assertEquals("INVALID_PARAMS", c.errorCode("stats.subscribe", Map.of("interval_ms", 5)));
      for (int i = 0; i < 10; i++) {
        if (i == 4) a.sequence++; // one packet lost on the way
        a.sendRtp(la.port(), 0, new byte[160]);
        Thread.sleep(20);
      }
      for (int i = 0; i < 10; i++) assertNotNull(b.receive(2000));
      c.ok("stats.subscribe", Map.of("interval_ms", 200));
      JsonNode stats = c.awaitEvent("stats").get("data");
      JsonNode ea = null;
      JsonNode eb = null;
      for (JsonNode e : stats.get("endpoints")) {
        if (e.get("endpoint_id").asText().equals(la.endpointId())) ea = e;
        if (e.get("endpoint_id").asText().equals(lb.endpointId())) eb = e;
      }
      assertNotNull(ea);
      assertEquals(10, ea.get("inbound").get("packets").asLong());
      assertEquals(10 * 172, ea.get("inbound").get("bytes").asLong());
      assertEquals(1, ea.get("inbound").get("packets_lost").asLong());
      assertTrue(ea.get("inbound").get("jitter_ms").asDouble() >= 0);
      assertTrue(ea.get("inbound").get("last_received_ms_ago").asLong() >= 0);
      assertTrue(ea.get("rtt_ms").isNull(), "no RTCP round trip yet");
      assertEquals("PCMU/8000", ea.get("codec").asText());
      assertEquals("connected", ea.get("state").asText());
      assertEquals(10, eb.get("outbound").get("packets").asLong());
      assertEquals(0, eb.get("inbound").get("packets").asLong());
      assertTrue(eb.get("inbound").get("last_received_ms_ago").isNull());
      c.awaitEvent("stats"); // periodic
      c.ok("stats.unsubscribe", null);
      c.events.clear();
      Thread.sleep(300);
      assertTrue(c.quietFor(500) || c.events.stream().noneMatch(e -> e.get("event").asText().equals("stats")),
          "no stats after unsubscribe");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void injectedDigitArrivesAsStartContinuationAndThreeEndPackets() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer plain = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"), "sendrecv");
      c.ok("endpoint.dtmf.inject", Map.of("endpoint_id", la.endpointId(), "digit", "#", "duration_ms", 100));
      java.util.List<DatagramPacket> got = new java.util.ArrayList<>();
      for (DatagramPacket p; (p = a.receive(500)) != null; ) {
        got.add(new DatagramPacket(java.util.Arrays.copyOf(p.getData(), p.getLength()), p.getLength()));
      }
      assertEquals(5 + 3, got.size(), "100 ms = 5 packets of 20 ms, then the end packet three times");
      java.nio.ByteBuffer first = java.nio.ByteBuffer.wrap(got.get(0).getData());
      long timestamp = first.getInt(4) & 0xffffffffL;
      for (int i = 0; i < got.size(); i++) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(got.get(i).getData());
        assertEquals(101, b.get(1) & 0x7f);
        assertEquals(i == 0, (b.get(1) & 0x80) != 0, "marker on the first packet only");
        assertEquals(timestamp, b.getInt(4) & 0xffffffffL, "one timestamp for the whole event");
        assertEquals(((first.getShort(2) & 0xffff) + i) & 0xffff, b.getShort(2) & 0xffff, "consecutive sequence numbers");
        assertEquals(11, b.get(12), "event 11 is #");
        boolean end = (b.get(13) & 0x80) != 0;
        int duration = b.getShort(14) & 0xffff;
        assertEquals(i >= 5, end);
        assertEquals(Math.min(800, 160 * (i + 1)), duration);
        assertEquals(10, b.get(13) & 0x3f, "default volume");
      }
      Leg lp = createFromOffer(c, plain.offer("0", ""), "sendrecv");
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.dtmf.inject", Map.of("endpoint_id", lp.endpointId(), "digit", "1")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.dtmf.inject", Map.of("endpoint_id", la.endpointId(), "digit", "x")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.dtmf.inject", Map.of("endpoint_id", la.endpointId(), "digit", "1", "duration_ms", 1)));
      assertEquals("ENDPOINT_ERROR", c.errorCode("endpoint.dtmf.inject", Map.of("endpoint_id", "nope", "digit", "1")));
      c.ok("session.destroy", null);
    }
  }

  @Test
  void transferMovesAnEndpointToAnotherSessionOnTheSamePort() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      String s1 = c1.ok("session.create", null).get("session_id").asText();
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c2, b.offer("0", ""), "sendrecv");
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNull(b.receive(300), "different sessions: no media between them yet");

      assertEquals("SESSION_NOT_FOUND", c1.errorCode("endpoint.transfer", Map.of("endpoint_id", la.endpointId(),
          "target_session_id", la.endpointId().split("-")[0] + "-00000000-0000-4000-8000-000000000000")));
      assertEquals("TRANSFER_FAILED", c1.errorCode("endpoint.transfer", Map.of("endpoint_id", la.endpointId(),
          "target_session_id", "zz-00000000-0000-4000-8000-000000000000")), "another node's session");
      assertEquals(1, c1.ok("session.info", null).get("endpoint_count").asInt(), "a failed transfer leaves the endpoint");

      JsonNode moved = c1.ok("endpoint.transfer", Map.of("endpoint_id", la.endpointId(), "target_session_id", s2));
      assertEquals(s2, moved.get("target_session_id").asText());
      JsonNode out = c1.awaitEvent("endpoint.transferred_out").get("data");
      assertEquals(la.endpointId(), out.get("endpoint_id").asText());
      assertEquals(s2, out.get("target_session_id").asText());
      JsonNode in = c2.awaitEvent("endpoint.transferred_in").get("data");
      assertEquals(la.endpointId(), in.get("endpoint_id").asText());
      assertEquals(s1, in.get("source_session_id").asText(), "the target learns where the endpoint came from");
      assertEquals("rtp", in.get("endpoint_type").asText());
      assertEquals("sendrecv", in.get("direction").asText());
      assertEquals("connected", in.get("state").asText());
      assertEquals(0, c1.ok("session.info", null).get("endpoint_count").asInt());
      assertEquals(2, c2.ok("session.info", null).get("endpoint_count").asInt());
      JsonNode movedInfo = c2.ok("session.info", null).get("endpoints").get(1);
      assertEquals(la.endpointId(), movedInfo.get("endpoint_id").asText());
      assertEquals("PCMU/8000", movedInfo.get("codec").asText(), "the codec moved with it");
      assertEquals("127.0.0.1:" + la.port(), movedInfo.get("local_address").asText());
      assertEquals("127.0.0.1:" + a.port(), movedInfo.get("remote_address").asText(), "the learned peer moved with it");

      // same local port, now bridged to B's endpoint in the target session
      a.sendRtp(la.port(), 0, new byte[] {5, 5, 5});
      DatagramPacket got = b.receive(2000);
      assertNotNull(got);
      assertEquals(lb.port(), got.getPort());
      b.sendRtp(lb.port(), 0, new byte[] {6});
      DatagramPacket back = a.receive(2000);
      assertNotNull(back);
      assertEquals(la.port(), back.getPort(), "the peer sees no change: same port");
      c1.ok("session.destroy", null);
      b.sendRtp(lb.port(), 0, new byte[] {7});
      assertNotNull(a.receive(2000), "destroying the source session did not touch the moved endpoint");
      c2.ok("session.destroy", null);
    }
  }

  static int endpointCount(ControlClient c) {
    return c.ok("session.info", null).get("endpoint_count").asInt();
  }

  static void awaitEndpointCount(ControlClient c, int expected) throws Exception {
    long deadline = System.currentTimeMillis() + 3000;
    while (endpointCount(c) != expected) {
      assertTrue(System.currentTimeMillis() < deadline, "endpoint count did not become " + expected);
      Thread.sleep(50);
    }
  }

  @Test
  void bridgeCarriesAudioBetweenTwoSessionsAndGoesAsAPair() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c2, b.offer("8", ""), "sendrecv");
      assertEquals("INVALID_PARAMS", c1.errorCode("session.bridge", Map.of("target_session_id", s2, "direction", "both")));
      assertEquals("SESSION_NOT_FOUND", c1.errorCode("session.bridge",
          Map.of("target_session_id", s2.split("-")[0] + "-00000000-0000-4000-8000-000000000000")));
      assertEquals(1, endpointCount(c1), "a failed bridge leaves nothing behind");

      JsonNode bridge = c1.ok("session.bridge", Map.of("target_session_id", s2, "direction", "sendrecv"));
      String x = bridge.get("endpoint_id").asText();
      String y = bridge.get("target_endpoint_id").asText();
      assertEquals(2, endpointCount(c1));
      assertEquals(2, endpointCount(c2));
      assertEquals("bridge", c2.ok("session.info", null).get("endpoints").get(1).get("type").asText());
      assertEquals(y, c2.ok("session.info", null).get("endpoints").get(1).get("endpoint_id").asText());

      byte[] voice = tone(160);
      a.sendRtp(la.port(), 0, voice);
      DatagramPacket atB = b.receive(2000);
      assertNotNull(atB, "A's audio crossed the bridge");
      assertEquals(lb.port(), atB.getPort());
      assertEquals(8, RtpPeer.pt(atB), "transcoded for B on the far side of the bridge");
      assertEquals(G711.ulawToAlaw(voice[0]), RtpPeer.payload(atB)[0]);
      b.sendRtp(lb.port(), 8, new byte[160]);
      DatagramPacket atA = a.receive(2000);
      assertNotNull(atA, "and back");
      assertEquals(0, RtpPeer.pt(atA));

      c1.ok("endpoint.remove", Map.of("endpoint_id", x));
      awaitEndpointCount(c2, 1); // removing one half removes its pair
      a.sendRtp(la.port(), 0, voice);
      assertNull(b.receive(300));

      // a one-way bridge; then the target session ends and the source's half goes with it
      c1.ok("session.bridge", Map.of("target_session_id", s2, "direction", "sendonly"));
      b.sendRtp(lb.port(), 8, new byte[160]);
      assertNull(a.receive(300), "sendonly: nothing comes back over the bridge");
      a.sendRtp(la.port(), 0, voice);
      assertNotNull(b.receive(2000));
      c2.ok("session.destroy", null);
      awaitEndpointCount(c1, 1);
      c1.ok("session.destroy", null);
    }
  }

  @Test
  void aBridgeIsAVoiceOfTheMixOnBothSides() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2); RtpPeer c = new RtpPeer(3)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      Leg la = createFromOffer(c1, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c1, b.offer("0", ""), "sendrecv");
      Leg lc = createFromOffer(c2, c.offer("0", ""), "sendrecv");
      c1.ok("session.bridge", Map.of("target_session_id", s2, "direction", "sendrecv")); // A, B and the bridge: a mix
      byte[] fa = toneAt(440, 3000);
      byte[] fb = toneAt(1000, 3000);
      byte[] fc = toneAt(1500, 3000);
      for (int i = 0; i < 40; i++) {
        a.sendRtp(la.port(), 0, fa);
        b.sendRtp(lb.port(), 0, fb);
        c.sendRtp(lc.port(), 0, fc);
        Thread.sleep(20);
      }
      short[] atA = midVoiced(a);
      short[] atC = midVoiced(c);
      int[] bc = new int[160];
      int[] ab = new int[160];
      short[] da = decode(fa);
      short[] db = decode(fb);
      short[] dc = decode(fc);
      for (int i = 0; i < 160; i++) {
        bc[i] = db[i] + dc[i];
        ab[i] = da[i] + db[i];
      }
      assertTrue(MediaSourcesTest.power(atA, 1000) > 0.005 && MediaSourcesTest.power(atA, 1500) > 0.005
          && MediaSourcesTest.power(atA, 440) < 0.001, "A hears B and, over the bridge, C; not itself");
      assertTrue(MediaSourcesTest.power(atC, 440) > 0.005 && MediaSourcesTest.power(atC, 1000) > 0.005
          && MediaSourcesTest.power(atC, 1500) < 0.001, "C hears the other session's mix: A and B");
      assertTrue(error(atA, bc) < 200, "A hears B + C summed, error " + error(atA, bc));
      assertTrue(error(atC, ab) < 200, "C hears A + B summed, error " + error(atC, ab));
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  /**
   * A frame from the middle of the sound queued at {@code peer}. At either end a frame may hold only
   * some of the voices: their first and last packets need not fall into the same mixer tick.
   */
  static short[] midVoiced(RtpPeer peer) throws Exception {
    List<short[]> voiced = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      DatagramPacket p = peer.receive(200);
      if (p == null) break;
      short[] pcm = decode(RtpPeer.payload(p));
      if (rms(pcm) > 1000) voiced.add(pcm);
    }
    assertTrue(voiced.size() >= 10, "sound was heard for most of the 40 frames: " + voiced.size());
    return voiced.get(voiced.size() / 2);
  }

  static short[] decode(byte[] ulaw) {
    short[] pcm = new short[ulaw.length];
    for (int i = 0; i < ulaw.length; i++) pcm[i] = G711.decodeSample(G711.PCMU, ulaw[i]);
    return pcm;
  }

  static byte[] toneAt(double hz, int amplitude) {
    short[] pcm = new short[160];
    for (int i = 0; i < 160; i++) pcm[i] = (short) (amplitude * Math.sin(2 * Math.PI * hz * i / 8000.0));
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(160);
    G711.PCMU.encode(pcm, 160, out, 0);
    return out.array();
  }

  /** Mean absolute difference between what was heard and what should have been. */
  static double error(short[] heard, int[] expected) {
    double sum = 0;
    for (int i = 0; i < expected.length; i++) sum += Math.abs(heard[i] - expected[i]);
    return sum / expected.length;
  }

  @Test
  void threePartiesEachHearTheMixOfTheOthers() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2); RtpPeer listener = new RtpPeer(3)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      Leg lb = createFromOffer(c, b.offer("0", ""), "sendrecv");
      Leg lc = createFromOffer(c, listener.offer("0", ""), "sendrecv");
      byte[] fa = toneAt(440, 3000);
      byte[] fb = toneAt(1000, 3000);
      short[] da = decode(fa);
      short[] db = decode(fb);
      int[] both = new int[160];
      int[] onlyB = new int[160];
      int[] onlyA = new int[160];
      for (int i = 0; i < 160; i++) {
        both[i] = da[i] + db[i];
        onlyB[i] = db[i];
        onlyA[i] = da[i];
      }
      for (int i = 0; i < 40; i++) {
        a.sendRtp(la.port(), 0, fa);
        b.sendRtp(lb.port(), 0, fb);
        Thread.sleep(20);
      }
      // the listener hears A and B summed; A hears only B (never itself)
      // the mix is a continuous stream (silence when nobody speaks): read what the 40 frames produced
      java.util.List<short[]> heardByListener = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) heardByListener.add(decode(RtpPeer.payload(listener.receive(1000))));
      java.util.List<short[]> heardByA = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) heardByA.add(decode(RtpPeer.payload(a.receive(1000))));
      short[] mid = heardByListener.get(15);
      assertTrue(error(mid, both) < 150, "listener hears A+B, error " + error(mid, both));
      assertTrue(error(mid, onlyA) > 600 && error(mid, onlyB) > 600, "and not just one of them");
      short[] atA = heardByA.get(15);
      assertTrue(error(atA, onlyB) < 150, "A hears B, error " + error(atA, onlyB));
      assertTrue(error(atA, both) > 600, "A does not hear itself");
      assertEquals(3, endpointCount(c));

      // back to two parties: pass-through again, in the same stream B has been hearing
      c.ok("endpoint.remove", Map.of("endpoint_id", lc.endpointId()));
      a.drain();
      DatagramPacket lastMixed = null;
      for (DatagramPacket p; (p = b.receive(200)) != null; ) lastMixed = p;
      assertNotNull(lastMixed);
      a.sendRtp(la.port(), 0, fa);
      DatagramPacket direct = b.receive(2000);
      assertNotNull(direct);
      assertArrayEquals(fa, RtpPeer.payload(direct), "A's own frame, no longer mixed");
      assertEquals(RtpPeer.ssrc(lastMixed), RtpPeer.ssrc(direct), "one SSRC for B from mix to pass-through");
      assertEquals((RtpPeer.seq(lastMixed) + 1) & 0xffff, RtpPeer.seq(direct), "the sequence goes on");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aPartyWith30msPacketsIsHeardWholeInTheMix() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2); RtpPeer listener = new RtpPeer(3)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", "a=ptime:30\r\n"), "sendrecv");
      createFromOffer(c, b.offer("0", ""), "sendrecv");
      createFromOffer(c, listener.offer("0", ""), "sendrecv");
      // A sends a continuous 440 Hz tone in 30 ms packets (240 samples), paced in real time
      long start = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        short[] pcm = new short[240];
        for (int s = 0; s < 240; s++) pcm[s] = (short) (5000 * Math.sin(2 * Math.PI * 440 * (i * 240 + s) / 8000.0));
        java.nio.ByteBuffer enc = java.nio.ByteBuffer.allocate(240);
        G711.PCMU.encode(pcm, 240, enc, 0);
        a.sendRtp(la.port(), 0, enc.array());
        long wait = start + (i + 1) * 30_000_000L - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      // the listener's 20 ms frames, from the first that carries A, must be A's samples in order: no
      // frame lost, repeated or cut short (a 30 ms packet is one and a half frames)
      List<short[]> frames = new java.util.ArrayList<>();
      for (DatagramPacket p; frames.size() < 100 && (p = listener.receive(300)) != null; ) frames.add(decode(RtpPeer.payload(p)));
      int first = -1;
      for (int i = 0; i < frames.size() && first < 0; i++) if (rms(frames.get(i)) > 1000) first = i;
      assertTrue(first >= 0, "the listener hears A");
      // a stall of this test's own sender (it shares the machine) may force one resynchronisation; what
      // matters is long runs that are exactly A's samples (the old frame-latest mixer managed one frame)
      short[] heard = new short[160 * (frames.size() - first)];
      for (int f = first; f < frames.size(); f++) System.arraycopy(frames.get(f), 0, heard, 160 * (f - first), 160);
      int longest = 0;
      int at = 0;
      while (at + 160 <= heard.length && rms(java.util.Arrays.copyOfRange(heard, at, at + 160)) > 1000) {
        int offset = -1;
        for (int k = 0; k < 2000 && offset < 0; k++) {
          boolean match = true;
          for (int j = 0; j < 160 && match; j++) match = Math.abs(heard[at + j] - sent(k + j)) <= 300;
          if (match) offset = k;
        }
        assertTrue(offset >= 0, "frame " + at / 160 + " is a piece of what A sent");
        int run = 0;
        while (at + run < heard.length && Math.abs(heard[at + run] - sent(offset + run)) <= 300) run++;
        longest = Math.max(longest, run / 160);
        at += Math.max(160, run / 160 * 160);
      }
      assertTrue(longest >= 40, "A's samples in order for at least 40 frames, not torn: longest run " + longest);
      c.ok("session.destroy", null);
    }
  }

  /** Sample k of the tone A sends in aPartyWith30msPacketsIsHeardWholeInTheMix. */
  static double sent(int k) {
    return 5000 * Math.sin(2 * Math.PI * 440 * k / 8000.0);
  }

  static double rms(short[] pcm) {
    double sum = 0;
    for (short s : pcm) sum += (double) s * s;
    return Math.sqrt(sum / pcm.length);
  }

  @Test
  void mutatedOffersThroughTheApiNeverLeakPortsOrDisturbMedia() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      Leg la = createFromOffer(c, a.offer("0", ""), "sendrecv");
      createFromOffer(c, b.offer("0", ""), "sendrecv");
      Random random = new Random(4566);
      String seed = a.offer("8 0 101", "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n");
      String alphabet = "v=omcsta: /\r\n0123456789RTPAVPINIP4.-x";
      int answered = 0;
      for (int i = 0; i < 600; i++) {
        StringBuilder sdp = new StringBuilder(seed);
        for (int edits = random.nextInt(4) + 1; edits > 0 && sdp.length() > 0; edits--) {
          int at = random.nextInt(sdp.length());
          switch (random.nextInt(3)) {
            case 0 -> sdp.deleteCharAt(at);
            case 1 -> sdp.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
            default -> sdp.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          }
        }
        JsonNode reply = c.call("endpoint.create_from_offer", Map.of("sdp", sdp.toString()));
        if (reply.has("result")) {
          answered++;
          c.ok("endpoint.remove", Map.of("endpoint_id", reply.get("result").get("endpoint_id").asText()));
        } else {
          String code = reply.get("error").get("code").asText();
          assertTrue(code.equals("ENDPOINT_ERROR") || code.equals("INVALID_PARAMS"), reply.toString());
        }
      }
      assertTrue(answered > 0, "some mutations stay valid");
      assertEquals(2, endpointCount(c), "nothing was left behind");
      a.sendRtp(la.port(), 0, new byte[160]);
      assertNotNull(b.receive(2000), "media still flows");
      c.ok("session.destroy", null);
    }
    assertAllPortPairsFree();
  }

  /** Every pair of the node's pool can be taken again (released ports return within moments). */
  static void assertAllPortPairsFree() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      long deadline = System.currentTimeMillis() + 3000;
      int made = 0;
      while (made < 4 && System.currentTimeMillis() < deadline) {
        if (c.call("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""))).has("result")) made++;
      }
      assertEquals(4, made, "no port pair leaked");
      c.ok("session.destroy", null);
    }
  }

  /**
   * As root (CI) the media thread lowers its nice to switchboard.media.thread-nice (-10 by default) and
   * asks for the time slice switchboard.media.thread-slice (100 µs), where the kernel shows it.
   */
  @Test
  void theMediaThreadRunsAtTheConfiguredNice() throws Exception {
    if (!"root".equals(System.getProperty("user.name")) || !Http.get(node.http() + "/metrics").body().contains("\nswitchboard_media_native_io 1.0\n")) return;
    assertEquals(List.of(-10), mediaThreadNices());
    List<Long> slices = mediaThreads("sched", sched -> sched.lines().filter(l -> l.startsWith("se.slice"))
        .map(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(-1L));
    if (!slices.equals(List.of(-1L))) assertEquals(List.of(100_000L), slices, "se.slice in /proc/<tid>/sched");
  }

  /** The nice values of this JVM's media threads (one per node running). */
  static List<Integer> mediaThreadNices() throws java.io.IOException {
    return mediaThreads("stat", stat -> Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
  }

  /** One value per media thread of this JVM, read from its file {@code name} in /proc/self/task/<tid>/. */
  static <T> List<T> mediaThreads(String name, java.util.function.Function<String, T> read) throws java.io.IOException {
    List<T> values = new java.util.ArrayList<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (var task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          if (!java.nio.file.Files.readString(task.resolve("comm")).startsWith("switchboard-med")) continue;
          values.add(read.apply(java.nio.file.Files.readString(task.resolve(name))));
        } catch (java.nio.file.NoSuchFileException ended) {
          // the thread ended while the list was read
        }
      }
    }
    return values;
  }
}
