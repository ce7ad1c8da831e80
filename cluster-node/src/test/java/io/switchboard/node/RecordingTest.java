package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.media.codec.G711;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recordings made from real RTP on loopback, opened by the tools a user would open them with: tshark
 * for PCAP, sox for WAV (both from Debian; .ci/run installs them).
 */
class RecordingTest {

  static TestNode node;
  static Path dir;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("switchboard-recordings");
    node = TestNode.start("""
        switchboard.media.port-min = 31200
        switchboard.media.port-max = 31209
        switchboard.media.rtcp-interval = 1h
        switchboard.session.max-recordings = 3
        switchboard.recording.dir = "%s"
        """.formatted(dir));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static RelayTests.Leg leg(ControlClient c, RtpPeer peer, String codec) throws Exception {
    return RelayTests.createFromOffer(c, peer.offer(codec, ""), "sendrecv");
  }

  static byte[] toneFrame(double hz, int index) {
    short[] pcm = new short[160];
    for (int i = 0; i < 160; i++) pcm[i] = (short) (5000 * Math.sin(2 * Math.PI * hz * (index * 160 + i) / 8000.0));
    ByteBuffer out = ByteBuffer.allocate(160);
    G711.PCMU.encode(pcm, 160, out, 0);
    return out.array();
  }

  /** Runs a tool and returns what it printed on stdout; fails the test with its stderr when it fails. */
  static String run(String... command) throws Exception {
    Path errors = Files.createTempFile("tool", ".err");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(command[0] + " is not installed (.ci/run installs it)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + Files.readString(errors));
    Files.delete(errors);
    return out;
  }

  @Test
  void aLegRecordedAsPcapOpensInTsharkWithEveryPacketBothWays() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(0xA1); RtpPeer b = new RtpPeer(0xB2)) {
      c.ok("session.create", null);
      RelayTests.Leg la = leg(c, a, "0");
      RelayTests.Leg lb = leg(c, b, "0");
      String id = c.ok("recording.start", Map.of("endpoint_id", la.endpointId(), "file_path", "calls/leg.pcap",
          "format", "pcap")).get("recording_id").asText();
      for (int i = 0; i < 20; i++) {
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        if (i < 10) b.sendRtp(lb.port(), 0, toneFrame(1000, i));
        Thread.sleep(20);
      }
      for (int i = 0; i < 20; i++) b.receive(2000);
      for (int i = 0; i < 10; i++) a.receive(2000);
      JsonNode result = c.ok("recording.stop", Map.of("recording_id", id));
      assertEquals("calls/leg.pcap", result.get("file_path").asText());
      assertEquals(30, result.get("packets").asLong(), "A's 20 in, B's 10 relayed out to A");
      assertEquals(0, result.get("dropped_packets").asLong());
      assertTrue(result.get("duration_ms").asLong() >= 400, "duration " + result.get("duration_ms"));

      String fields = run("tshark", "-r", dir.resolve("calls/leg.pcap").toString(), "-o", "rtp.heuristic_rtp:TRUE",
          "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "rtp.ssrc",
          "-e", "rtp.seq", "-e", "ip.checksum.status");
      List<String[]> rows = fields.lines().filter(l -> !l.isBlank()).map(l -> l.split(",")).toList();
      assertEquals(30, rows.size(), fields);
      int fromA = 0;
      int toA = 0;
      for (String[] row : rows) {
        assertEquals("127.0.0.1", row[0]);
        if (Integer.parseInt(row[1]) == a.port() && Integer.parseInt(row[2]) == la.port()) {
          assertEquals(0xA1, Long.decode(row[3]), "A's own SSRC, as it arrived");
          assertEquals(1000 + fromA, Integer.parseInt(row[4]), "in order, every one");
          fromA++;
        } else {
          assertEquals(la.port(), Integer.parseInt(row[1]));
          assertEquals(a.port(), Integer.parseInt(row[2]));
          toA++;
        }
      }
      assertEquals(20, fromA);
      assertEquals(10, toA);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aPcapHoldsTheRtcpOfBothSidesAtWallClockTimeWithRtcpMux() throws Exception {
    pcapHoldsTheRtcpOfBothSides(true);
  }

  @Test
  void aPcapShowsRtcpOnTheRtcpPortsItUsedWithoutRtcpMux() throws Exception {
    pcapHoldsTheRtcpOfBothSides(false);
  }

  /**
   * With rtcp-mux RTP and RTCP share the ports; without it the peer names its RTCP port (a=rtcp) and
   * ours is the RTP port + 1. Either way the file shows each report on the ports it really used.
   */
  private void pcapHoldsTheRtcpOfBothSides(boolean mux) throws Exception {
    // a node of its own: the shared one reports hourly so that packet counts elsewhere stay exact
    try (TestNode reporting = TestNode.start("""
        switchboard.media.port-min = 31220
        switchboard.media.port-max = 31229
        switchboard.media.rtcp-interval = 300ms
        switchboard.recording.dir = "%s"
        """.formatted(dir));
         ControlClient c = ControlClient.connect(reporting.ws()); RtpPeer a = new RtpPeer(0xA1);
         RtpPeer aRtcp = new RtpPeer(0xA1)) {
      c.ok("session.create", null);
      RtpPeer peerRtcp = mux ? a : aRtcp;
      String attributes = mux ? "a=rtcp-mux\r\n" : "a=rtcp:" + aRtcp.port() + "\r\n";
      RelayTests.Leg la = RelayTests.createFromOffer(c, a.offer("0", attributes), "sendrecv");
      int ourRtcpPort = mux ? la.port() : la.port() + 1;
      String id = c.ok("recording.start", Map.of("endpoint_id", la.endpointId(), "file_path", "rtcp/leg-" + mux + ".pcap"))
          .get("recording_id").asText();
      long startedMs = System.currentTimeMillis();
      for (int i = 0; i < 50; i++) {
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        Thread.sleep(20);
      }
      assertNotNull(peerRtcp.receiveRtcp(2000), "the endpoint reported to A");
      // A's receiver report about nothing in particular: one RTCP packet from the peer
      ByteBuffer rr = ByteBuffer.allocate(8).putInt(0x80c90001).putInt(0xA1);
      peerRtcp.sendRaw(ourRtcpPort, rr.array());
      Thread.sleep(200);
      JsonNode result = c.ok("recording.stop", Map.of("recording_id", id));
      long stoppedMs = System.currentTimeMillis();

      String fields = run("tshark", "-r", dir.resolve("rtcp/leg-" + mux + ".pcap").toString(), "-Y", "rtcp",
          "-o", "rtcp.heuristic_rtcp:TRUE", "-T", "fields", "-E", "separator=,",
          "-e", "frame.time_epoch", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "rtcp.senderssrc", "-e", "rtcp.pt");
      List<String[]> rows = fields.lines().filter(l -> !l.isBlank()).map(l -> l.split(",")).toList();
      int ours = 0;
      int peers = 0;
      for (String[] row : rows) {
        double at = Double.parseDouble(row[0]) * 1000;
        assertTrue(at >= startedMs - 1000 && at <= stoppedMs + 1000, "wall-clock time, not time since start: " + row[0]);
        if (Integer.parseInt(row[1]) == ourRtcpPort && Integer.parseInt(row[2]) == peerRtcp.port()) {
          ours++;
          // alone in its session the endpoint sends A no RTP: a receiver report, with its CNAME
          assertEquals("201,202", row[4] + "," + row[5], String.join(",", row));
          assertTrue(Long.decode(row[3]) != 0xA1, "about the endpoint's own stream");
        } else {
          assertEquals(peerRtcp.port(), Integer.parseInt(row[1]), String.join(",", row));
          assertEquals(ourRtcpPort, Integer.parseInt(row[2]), String.join(",", row));
          assertEquals(0xA1, Long.decode(row[3]), "A's report, as it arrived");
          peers++;
        }
      }
      assertTrue(ours >= 1, "the endpoint's own reports are recorded:\n" + fields);
      assertEquals(1, peers, "and A's one report:\n" + fields);
      assertEquals(50 + ours + peers, result.get("packets").asLong(), "A's RTP and every report, nothing else");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSessionRecordedAsWavHearsEveryPartyAndTheTone() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.Leg la = leg(c, a, "0");
      String id = c.ok("recording.start", Map.of("file_path", "session.wav", "format", "wav")).get("recording_id").asText();
      c.ok("endpoint.create_tone", Map.of("tone", "sine", "frequency", 1000)); // joins the running recording
      for (int i = 0; i < 50; i++) {
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        Thread.sleep(20);
      }
      JsonNode result = c.ok("recording.stop", Map.of("recording_id", id));
      assertEquals(0, result.get("dropped_packets").asLong(), "nothing late, nothing dropped: " + result);
      Path wav = dir.resolve("session.wav");
      assertEquals("8000", run("sox", "--i", "-r", wav.toString()).trim());
      assertEquals("1", run("sox", "--i", "-c", wav.toString()).trim());
      double seconds = Double.parseDouble(run("sox", "--i", "-D", wav.toString()).trim());
      assertEquals(result.get("duration_ms").asLong() / 1000.0, seconds, 0.05, "the header says what was recorded");
      assertTrue(seconds > 0.9 && seconds < 3, "about the second we spoke: " + seconds);

      short[][] channels = samples(wav);
      short[] middle = Arrays.copyOfRange(channels[0], (int) (seconds * 8000 / 2), (int) (seconds * 8000 / 2) + 800);
      assertTrue(MediaSourcesTest.power(middle, 440) > 0.005, "A's voice");
      assertTrue(MediaSourcesTest.power(middle, 1000) > 0.005, "and the tone, mixed in one channel");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aSessionWavHearsWhatComesOverABridge() throws Exception {
    try (ControlClient c1 = ControlClient.connect(node.ws()); ControlClient c2 = ControlClient.connect(node.ws());
         RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c1.ok("session.create", null);
      String s2 = c2.ok("session.create", null).get("session_id").asText();
      RelayTests.Leg la = leg(c1, a, "0");
      RelayTests.Leg lb = leg(c2, b, "0");
      c1.ok("session.bridge", Map.of("target_session_id", s2, "direction", "sendrecv"));
      String id = c1.ok("recording.start", Map.of("file_path", "bridged.wav", "format", "wav")).get("recording_id").asText();
      for (int i = 0; i < 50; i++) {
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        b.sendRtp(lb.port(), 0, toneFrame(1000, i)); // B is in the other session
        Thread.sleep(20);
      }
      c1.ok("recording.stop", Map.of("recording_id", id));
      short[] mono = samples(dir.resolve("bridged.wav"))[0];
      short[] middle = Arrays.copyOfRange(mono, mono.length / 2, mono.length / 2 + 800);
      assertTrue(MediaSourcesTest.power(middle, 440) > 0.005, "A, in this session");
      assertTrue(MediaSourcesTest.power(middle, 1000) > 0.005, "and B, over the bridge");
      c1.ok("session.destroy", null);
      c2.ok("session.destroy", null);
    }
  }

  @Test
  void aStereoLegHasItsInboundLeftAndOutboundRight() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      RelayTests.Leg la = leg(c, a, "0");
      RelayTests.Leg lb = leg(c, b, "8");
      String id = c.ok("recording.start", Map.of("endpoint_id", la.endpointId(), "file_path", "stereo.wav",
          "format", "wav", "stereo", true)).get("recording_id").asText();
      for (int i = 0; i < 50; i++) {
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        byte[] alaw = toneFrame(1000, i);
        for (int s = 0; s < alaw.length; s++) alaw[s] = G711.ulawToAlaw(alaw[s]);
        b.sendRtp(lb.port(), 8, alaw);
        Thread.sleep(20);
      }
      c.ok("recording.stop", Map.of("recording_id", id));
      Path wav = dir.resolve("stereo.wav");
      assertEquals("2", run("sox", "--i", "-c", wav.toString()).trim());
      run("sox", wav.toString(), "-n", "stat"); // sox reads it through to the end
      short[][] ch = samples(wav);
      int mid = ch[0].length / 2;
      short[] left = Arrays.copyOfRange(ch[0], mid, mid + 800);
      short[] right = Arrays.copyOfRange(ch[1], mid, mid + 800);
      assertTrue(MediaSourcesTest.power(left, 440) > 0.005 && MediaSourcesTest.power(left, 1000) < 0.0005,
          "left: what A said");
      assertTrue(MediaSourcesTest.power(right, 1000) > 0.005 && MediaSourcesTest.power(right, 440) < 0.0005,
          "right: what A heard (B, transcoded from PCMA)");
      c.ok("session.destroy", null);
    }
  }

  @Test
  void recordingsThatEndWithTheirEndpointOrSessionSaySoAndAreFinal() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      String session = c.ok("session.create", null).get("session_id").asText();
      RelayTests.Leg la = leg(c, a, "0");
      String legRec = c.ok("recording.start", Map.of("endpoint_id", la.endpointId(), "file_path", "ends/leg.wav",
          "format", "wav")).get("recording_id").asText();
      String sessionRec = c.ok("recording.start", Map.of("file_path", "ends/session.pcap")).get("recording_id").asText();
      String sessionWav = c.ok("recording.start", Map.of("file_path", "ends/session.wav", "format", "wav"))
          .get("recording_id").asText();
      for (int i = 0; i < 10; i++) { // 200 ms of 440 Hz at real time
        a.sendRtp(la.port(), 0, toneFrame(440, i));
        Thread.sleep(20);
      }
      Thread.sleep(100);

      c.ok("endpoint.remove", Map.of("endpoint_id", la.endpointId()));
      JsonNode stopped = c.awaitEvent("recording.stopped").get("data");
      assertEquals(legRec, stopped.get("recording_id").asText());
      assertEquals("endpoint_removed", stopped.get("reason").asText());
      assertEquals("ends/leg.wav", stopped.get("file_path").asText());
      assertEquals(10, stopped.get("packets").asLong());
      assertEquals(0, stopped.get("dropped_packets").asLong(), stopped.toString());
      assertTrue(stopped.get("duration_ms").asLong() >= 200, "at least the 200 ms A sent: " + stopped);
      assertFinalWav(dir.resolve("ends/leg.wav"), stopped.get("duration_ms").asLong());

      c.events.clear();
      c.ok("session.destroy", null);
      List<JsonNode> frames = new ArrayList<>(c.events); // events that came before the reply
      while (frames.stream().noneMatch(e -> e.get("event").asText().equals("app.terminated"))) frames.add(c.next(5));
      List<String> order = new ArrayList<>();
      Map<String, JsonNode> stoppedById = new HashMap<>();
      for (JsonNode e : frames) {
        order.add(e.get("event").asText());
        if (e.get("event").asText().equals("recording.stopped")) stoppedById.put(e.get("data").get("recording_id").asText(), e.get("data"));
      }
      assertEquals(List.of("app.terminating", "recording.stopped", "recording.stopped", "app.terminated"), order);
      assertEquals(java.util.Set.of(sessionRec, sessionWav), stoppedById.keySet());
      for (JsonNode s : stoppedById.values()) {
        assertEquals("session_ended", s.get("reason").asText());
        assertEquals(10, s.get("packets").asLong(), s.toString());
        assertEquals(0, s.get("dropped_packets").asLong(), s.toString());
        assertTrue(s.get("duration_ms").asLong() >= 300, "from start to the end of the session: " + s);
      }
      assertTrue(run("tshark", "-r", dir.resolve("ends/session.pcap").toString()).lines().count() == 10);
      assertFinalWav(dir.resolve("ends/session.wav"), stoppedById.get(sessionWav).get("duration_ms").asLong());
      assertFalse(session.isEmpty());
    }
  }

  /**
   * A WAV whose header was finalised: its sizes cover the audio in the file (not the zero length written
   * when it was opened), sox reads the duration the recording reported, and A's 440 Hz is in it.
   */
  static void assertFinalWav(Path wav, long reportedMs) throws Exception {
    long size = Files.size(wav);
    ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(wav), 0, 44).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(size - 44, header.getInt(40), "data size of " + wav.getFileName());
    assertEquals(size - 8, header.getInt(4), "RIFF size of " + wav.getFileName());
    double seconds = Double.parseDouble(run("sox", "--i", "-D", wav.toString()).trim());
    assertTrue(seconds >= 0.2, wav.getFileName() + " holds at least the 200 ms A sent: " + seconds);
    assertEquals(reportedMs / 1000.0, seconds, 0.02, "the header says what the recording reported");
    short[] mono = samples(wav)[0];
    short[] spoken = new short[1600];
    int loudest = 0;
    for (int i = 0; i + 1600 <= mono.length; i += 160) {
      short[] window = Arrays.copyOfRange(mono, i, i + 1600);
      if (MediaSourcesTest.power(window, 440) > MediaSourcesTest.power(spoken, 440)) {
        spoken = window;
        loudest = i;
      }
    }
    assertTrue(MediaSourcesTest.power(spoken, 440) > 0.005, "A's 200 ms of 440 Hz, at sample " + loudest);
  }

  @Test
  void badRecordingRequestsAreClearErrorsAndWriteNothing() throws Exception {
    Path outside = Files.createTempDirectory("switchboard-outside");
    Files.createSymbolicLink(dir.resolve("escape"), outside);
    Files.writeString(dir.resolve("taken.pcap"), "mine");
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      RelayTests.Leg la = leg(c, a, "0");
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of()));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "../out.pcap")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", outside.resolve("x.pcap").toString())));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "escape/x.pcap")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "escape/new/x.pcap")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "taken.pcap")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "x.mp3", "format", "mp3")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "x.pcap", "stereo", true)));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "x.wav", "format", "wav", "stereo", true)));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.start", Map.of("file_path", "x.wav", "stereo", "yes")));
      assertEquals("ENDPOINT_ERROR", c.errorCode("recording.start", Map.of("endpoint_id", "nope", "file_path", "x.pcap")));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.stop", Map.of("recording_id", "nope")));
      assertEquals("mine", Files.readString(dir.resolve("taken.pcap")), "an existing file is never touched");
      try (var files = Files.list(outside)) {
        assertEquals(0, files.count(), "nothing written outside the directory");
      }
      assertFalse(Files.exists(dir.resolve("x.pcap")) || Files.exists(dir.resolve("x.wav")) || Files.exists(dir.resolve("x.mp3")));

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(c.ok("recording.start", Map.of("endpoint_id", la.endpointId(), "file_path", "limit/" + i + ".pcap"))
            .get("recording_id").asText());
      }
      assertEquals("ENDPOINT_ERROR", c.errorCode("recording.start", Map.of("file_path", "limit/3.pcap")), "max-recordings");
      for (String id : ids) c.ok("recording.stop", Map.of("recording_id", id));
      assertEquals("INVALID_PARAMS", c.errorCode("recording.stop", Map.of("recording_id", ids.get(0))), "stopped already");
      c.ok("session.destroy", null);
    }
  }

  /** The channels of a 16-bit PCM WAV, read as the bytes lie after the 44-byte header. */
  static short[][] samples(Path wav) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    int channels = b.getShort(22);
    int frames = (b.capacity() - 44) / (2 * channels);
    short[][] out = new short[channels][frames];
    for (int f = 0; f < frames; f++) for (int ch = 0; ch < channels; ch++) out[ch][f] = b.getShort(44 + 2 * (f * channels + ch));
    return out;
  }
}
