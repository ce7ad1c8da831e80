package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.media.codec.G711;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Voice activity detection on real speech: espeak-ng says a sentence (sox makes it 8 kHz), a peer sends
 * it between stretches of line noise, and the events must match where the speech is.
 */
class VadTest {

  static TestNode node;
  static short[] speech;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("""
        switchboard.media.port-min = 31400
        switchboard.media.port-max = 31407
        switchboard.media.rtcp-interval = 1h
        """);
    Path dir = Files.createTempDirectory("vad");
    Path wav = dir.resolve("say.wav");
    Path raw = dir.resolve("say.raw");
    RecordingTest.run("espeak-ng", "-w", wav.toString(), "Hello, this is a test of voice activity detection.");
    RecordingTest.run("sox", wav.toString(), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-L", raw.toString());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
    speech = new short[b.capacity() / 2];
    for (int i = 0; i < speech.length; i++) speech[i] = b.getShort(2 * i);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** One VAD event and the part of the audio during which it came: 0 before the speech, 1 during, 2 after. */
  record Heard(int part, String event, JsonNode data) {}

  static double rms(short[] pcm, int from, int n) {
    double sum = 0;
    for (int i = from; i < Math.min(pcm.length, from + n); i++) sum += (double) pcm[i] * pcm[i];
    return Math.sqrt(sum / n);
  }

  /** Sends {@code audio} from {@code peer} at real time (20 ms packets) and collects the VAD events with their time. */
  static List<Heard> sendAndListen(ControlClient c, RtpPeer peer, int port, short[] audio) throws Exception {
    long start = System.nanoTime();
    for (int f = 0; f + 160 <= audio.length; f += 160) {
      ByteBuffer out = ByteBuffer.allocate(160);
      G711.PCMU.encode(java.util.Arrays.copyOfRange(audio, f, f + 160), 160, out, 0);
      peer.sendRtp(port, 0, out.array());
      long due = start + (f / 160 + 1) * 20_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
    Thread.sleep(200);
    List<Heard> heard = new ArrayList<>();
    while (!c.quietFor(100)) { /* let the last events arrive */ }
    for (JsonNode e : c.events) {
      String name = e.get("event").asText();
      if (name.startsWith("vad.")) heard.add(new Heard(-1, name, e.get("data")));
    }
    c.events.clear();
    return heard;
  }

  static short[] noise(int samples, double rms, long seed) {
    Random r = new Random(seed);
    short[] out = new short[samples];
    for (int i = 0; i < samples; i++) out[i] = (short) Math.round(r.nextGaussian() * rms);
    return out;
  }

  @Test
  void speechBetweenNoiseGivesSpeechStartedAndPeriodicSilence() throws Exception {
    short[] lead = noise(8000 * 12 / 10, 60, 1);
    short[] tail = noise(8000 * 24 / 10, 60, 2);
    short[] audio = new short[lead.length + speech.length + tail.length];
    System.arraycopy(lead, 0, audio, 0, lead.length);
    for (int i = 0; i < speech.length; i++) audio[lead.length + i] = (short) Math.max(-32768, Math.min(32767, speech[i] + lead[i % lead.length]));
    System.arraycopy(tail, 0, audio, lead.length + speech.length, tail.length);
    // where the voice really is: the first and last 20 ms frames clearly above the noise
    int onset = -1;
    int end = -1;
    for (int f = lead.length; f + 160 <= lead.length + speech.length; f += 160) {
      if (rms(audio, f, 160) > 600) {
        if (onset < 0) onset = f;
        end = f + 160;
      }
    }
    assertTrue(onset > 0, "espeak-ng produced audible speech");

    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      var leg = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      c.ok("vad.start", Map.of("endpoint_id", leg.endpointId(), "silence_interval_ms", 1000, "speech_threshold", 0.5));
      c.events.clear();
      List<Heard> heard = new ArrayList<>();
      // send in three parts and look at the events after each, so each is placed in time
      heard.addAll(inPart(0, sendAndListen(c, a, leg.port(), java.util.Arrays.copyOfRange(audio, 0, onset))));
      heard.addAll(inPart(1, sendAndListen(c, a, leg.port(), java.util.Arrays.copyOfRange(audio, onset, end))));
      heard.addAll(inPart(2, sendAndListen(c, a, leg.port(), java.util.Arrays.copyOfRange(audio, end, audio.length))));

      assertEquals(List.of("vad.silence"), names(heard, 0), "1.2 s of line noise is one second of silence: " + heard);
      assertEquals(1000, heard.get(0).data().get("silence_duration_ms").asLong());
      List<String> during = names(heard, 1);
      assertTrue(!during.isEmpty() && during.get(0).equals("vad.speech_started"), "speech is detected: " + heard);
      assertTrue(during.stream().allMatch(n -> n.equals("vad.speech_started")), "no silence reported inside the sentence: " + heard);
      assertTrue(names(heard, 2).stream().allMatch(n -> n.equals("vad.silence")), "nothing but silence after it: " + heard);
      List<Long> silences = heard.stream().filter(h -> h.part() == 2).map(h -> h.data().get("silence_duration_ms").asLong()).toList();
      assertEquals(List.of(1000L, 2000L), silences, "periodic silence after the speech ended: " + heard);

      // stopped: nothing more
      c.ok("vad.stop", Map.of("endpoint_id", leg.endpointId()));
      assertTrue(sendAndListen(c, a, leg.port(), noise(8000 * 15 / 10, 60, 3)).isEmpty());
      c.ok("session.destroy", null);
    }
  }

  @Test
  void steadyNoiseIsNotSpeechAndBadRequestsAreErrors() throws Exception {
    try (ControlClient c = ControlClient.connect(node.ws()); RtpPeer a = new RtpPeer(1)) {
      c.ok("session.create", null);
      var leg = RelayTests.createFromOffer(c, a.offer("0", ""), "sendrecv");
      c.ok("vad.start", Map.of("endpoint_id", leg.endpointId(), "silence_interval_ms", 500));
      c.events.clear();
      List<Heard> heard = sendAndListen(c, a, leg.port(), noise(8000 * 21 / 10, 800, 4)); // loud hiss, 2.1 s
      assertTrue(heard.stream().noneMatch(h -> h.event().equals("vad.speech_started")), "hiss is not a voice: " + heard);
      assertEquals(List.of(500L, 1000L, 1500L, 2000L),
          heard.stream().map(h -> h.data().get("silence_duration_ms").asLong()).toList());

      String tone = c.ok("endpoint.create_tone", Map.of("tone", "sine")).get("endpoint_id").asText();
      assertEquals("ENDPOINT_ERROR", c.errorCode("vad.start", Map.of("endpoint_id", tone)));
      assertEquals("ENDPOINT_ERROR", c.errorCode("vad.start", Map.of("endpoint_id", "nope")));
      assertEquals("ENDPOINT_ERROR", c.errorCode("vad.stop", Map.of("endpoint_id", "nope")));
      assertEquals("INVALID_PARAMS", c.errorCode("vad.start", Map.of("endpoint_id", leg.endpointId(), "speech_threshold", 1.5)));
      assertEquals("INVALID_PARAMS", c.errorCode("vad.start", Map.of("endpoint_id", leg.endpointId(), "silence_interval_ms", 10)));
      assertEquals("INVALID_PARAMS", c.errorCode("vad.start", Map.of()));
      c.ok("session.destroy", null);
    }
  }

  static List<Heard> inPart(int part, List<Heard> events) {
    return events.stream().map(h -> new Heard(part, h.event(), h.data())).toList();
  }

  static List<String> names(List<Heard> heard, int part) {
    return heard.stream().filter(h -> h.part() == part).map(Heard::event).toList();
  }
}
