package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.media.codec.G711;
import java.net.DatagramPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Audio made on the node (tones), heard by real UDP peers on loopback and checked sample by sample. */
class MediaSourcesTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.media.port-min = 31100
        switchboard.media.port-max = 31107
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  record Heard(long arrivalNanos, int seq, long timestamp, long ssrc, int pt, short[] pcm) {}

  /** The next {@code count} RTP packets at {@code peer}, decoded from {@code law}. */
  static List<Heard> hear(RtpPeer peer, int count, G711 law) throws Exception {
    List<Heard> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DatagramPacket p = peer.receive(2000);
      assertNotNull(p, "packet " + i + " of " + count);
      byte[] payload = RtpPeer.payload(p);
      short[] pcm = new short[payload.length];
      for (int s = 0; s < pcm.length; s++) pcm[s] = G711.decodeSample(law, payload[s]);
      out.add(new Heard(System.nanoTime(), RtpPeer.seq(p), RtpPeer.timestamp(p), RtpPeer.ssrc(p), RtpPeer.pt(p), pcm));
    }
    return out;
  }

  /** Relative power of {@code hz} in a frame (Goertzel), normalised so a full-scale sine gives about 1. */
  static double power(short[] pcm, double hz) {
    double k = 2 * Math.cos(2 * Math.PI * hz / 8000);
    double s1 = 0;
    double s2 = 0;
    for (short x : pcm) {
      double s0 = x / 32768.0 + k * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double p = s1 * s1 + s2 * s2 - k * s1 * s2;
    return p / (pcm.length * pcm.length / 4.0);
  }

  static int peak(short[] pcm) {
    int max = 0;
    for (short x : pcm) max = Math.max(max, Math.abs(x));
    return max;
  }

  @Test
  void usBusyToneHasItsFrequenciesAndCadenceInRealTime() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      c.ok("endpoint.create_from_offer", Map.of("sdp", a.offer("8", ""), "direction", "sendrecv"));
      c.ok("endpoint.create_tone", Map.of("tone", "busy", "country", "US"));
      List<Heard> heard = hear(a, 150, G711.PCMA);

      // 3 s of 20 ms packets: paced at real time, one stream, numbered without gaps
      double seconds = (heard.get(149).arrivalNanos() - heard.get(0).arrivalNanos()) / 1e9;
      assertEquals(149 * 0.020, seconds, 149 * 0.020 * 0.02, "50 packets a second");
      for (int i = 1; i < heard.size(); i++) {
        assertEquals(8, heard.get(i).pt(), "in the peer's codec (PCMA)");
        assertEquals(heard.get(0).ssrc(), heard.get(i).ssrc());
        assertEquals((heard.get(i - 1).seq() + 1) & 0xffff, heard.get(i).seq());
        assertEquals((heard.get(i - 1).timestamp() + 160) & 0xffffffffL, heard.get(i).timestamp());
      }
      // US busy: 480 + 620 Hz, 0.5 s on, 0.5 s off; the tone starts with an "on" half
      for (int i = 0; i < heard.size(); i++) {
        short[] pcm = heard.get(i).pcm();
        boolean on = (i / 25) % 2 == 0;
        if (on) {
          assertTrue(power(pcm, 480) > 0.005 && power(pcm, 620) > 0.005, "frame " + i + " carries 480 and 620 Hz");
          assertTrue(power(pcm, 1000) < power(pcm, 480) / 50, "and nothing much else");
        } else {
          assertTrue(peak(pcm) < 16, "frame " + i + " is silent: peak " + peak(pcm));
        }
      }
      c.ok("session.destroy", null);
    }
  }

  @Test
  void euRingbackIs425HzOneSecondOnThenSilent() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      c.ok("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""), "direction", "sendrecv"));
      c.ok("endpoint.create_tone", Map.of("tone", "ringback", "country", "eu"));
      List<Heard> heard = hear(a, 75, G711.PCMU);
      for (int i = 0; i < heard.size(); i++) {
        short[] pcm = heard.get(i).pcm();
        if (i < 50) assertTrue(power(pcm, 425) > 0.005 && power(pcm, 480) < power(pcm, 425) / 10, "frame " + i + ": 425 Hz");
        else assertTrue(peak(pcm) < 16, "frame " + i + " is in the 4 s pause");
      }
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aBeepEndsWithToneFinishedAndTheEndpointStays() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      c.ok("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""), "direction", "sendrecv"));
      String beep = c.ok("endpoint.create_tone", Map.of("tone", "beep", "frequency", 700, "duration_ms", 300))
          .get("endpoint_id").asText();
      List<Heard> heard = hear(a, 15, G711.PCMU);
      for (Heard h : heard) assertTrue(power(h.pcm(), 700) > 0.005, "700 Hz");
      assertNull(a.receive(300), "300 ms is 15 packets, then nothing");
      JsonNode change = c.awaitEvent("endpoint.state_changed").get("data");
      assertEquals(beep, change.get("endpoint_id").asText());
      assertEquals("playing", change.get("old_state").asText());
      assertEquals("finished", change.get("new_state").asText());
      assertEquals(beep, c.awaitEvent("endpoint.tone.finished").get("data").get("endpoint_id").asText());
      JsonNode info = c.ok("session.info", null).get("endpoints").get(1);
      assertEquals("tone", info.get("type").asText());
      assertEquals("sendonly", info.get("direction").asText());
      assertEquals("finished", info.get("state").asText());
      c.ok("endpoint.remove", Map.of("endpoint_id", beep));
      assertEquals(1, c.ok("session.info", null).get("endpoint_count").asInt());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void aToneJoinsTheMixOfTwoPeers() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1); RtpPeer b = new RtpPeer(2)) {
      c.ok("session.create", null);
      c.ok("endpoint.create_from_offer", Map.of("sdp", a.offer("0", ""), "direction", "sendrecv"));
      c.ok("endpoint.create_from_offer", Map.of("sdp", b.offer("8", ""), "direction", "sendrecv"));
      c.ok("endpoint.create_tone", Map.of("tone", "sine", "frequency", 1500));
      // three parties: each peer gets the mix, which carries the tone while the peers are silent
      List<Heard> atA = hear(a, 20, G711.PCMU);
      List<Heard> atB = hear(b, 20, G711.PCMA);
      assertTrue(power(atA.get(15).pcm(), 1500) > 0.005);
      assertTrue(power(atB.get(15).pcm(), 1500) > 0.005);
      c.ok("session.destroy", null);
    }
  }

  @Test
  void badToneParametersAreClearErrorsAndCreateNothing() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws())) {
      c.ok("session.create", null);
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of()));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "buzz")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", 7)));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "busy", "frequency", 440)));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "sine", "frequency", 5000)));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "sine", "frequency", "high")));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "sine", "duration_ms", 5)));
      assertEquals("INVALID_PARAMS", c.errorCode("endpoint.create_tone", Map.of("tone", "ringback", "country", "xx")));
      assertEquals(0, c.ok("session.info", null).get("endpoint_count").asInt());
      c.ok("session.destroy", null);
      assertEquals("NO_SESSION", c.errorCode("endpoint.create_tone", Map.of("tone", "beep")));
    }
  }
}
