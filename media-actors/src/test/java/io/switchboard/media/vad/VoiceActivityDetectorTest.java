package io.switchboard.media.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.media.codec.G711;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The detector's timing is audio time: the same line (1.2 s of quiet noise, 0.96 s of voice, 2.4 s of
 * noise) gives its events at the same moments whatever length the peer's packets have.
 */
class VoiceActivityDetectorTest {

  /** An event and the audio time (ms since the first sample) at the end of the packet that raised it. */
  record Event(long atMs, String name, long silenceMs) {}

  static short[] line() {
    Random r = new Random(7);
    short[] pcm = new short[8 * (1200 + 960 + 2400)];
    for (int i = 0; i < pcm.length; i++) {
      boolean voice = i >= 8 * 1200 && i < 8 * (1200 + 960);
      // the "voice" rises and falls like syllables; the noise is a quiet line, far under any voice
      double v = voice ? 6000 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * i / 8000.0)) * Math.sin(2 * Math.PI * 300 * i / 8000.0) : 0;
      pcm[i] = (short) Math.round(v + r.nextGaussian() * 30);
    }
    return pcm;
  }

  /** Sends {@code pcm} through a detector as PCMU packets of {@code packetMs}, as MediaPort does. */
  static List<Event> detect(short[] pcm, int packetMs, long silenceIntervalMs) {
    List<Event> events = new ArrayList<>();
    long[] now = {0};
    VoiceActivityDetector vad = new VoiceActivityDetector(silenceIntervalMs, 0.5, new VoiceActivityDetector.Listener() {
      @Override
      public void speechStarted() {
        events.add(new Event(now[0], "speech_started", -1));
      }

      @Override
      public void silence(long silenceMs) {
        events.add(new Event(now[0], "silence", silenceMs));
      }
    });
    int samples = 8 * packetMs;
    ByteBuffer packet = ByteBuffer.allocate(12 + samples); // an RTP header, then the payload
    short[] chunk = new short[samples];
    for (int at = 0; at + samples <= pcm.length; at += samples) {
      System.arraycopy(pcm, at, chunk, 0, samples);
      G711.PCMU.encode(chunk, samples, packet, 12);
      now[0] = (at + samples) / 8;
      vad.frame(G711.PCMU, packet, 12, samples);
    }
    return events;
  }

  @Test
  void thirtyMsPacketsCountAsThirtyMsOfSilenceAndSpeech() {
    List<Event> events = detect(line(), 30, 1000);
    assertEquals(List.of(
        // the first 34 packets are 1020 ms: the first whole second of silence ends with the 34th
        new Event(1020, "silence", 1020),
        // voice from 1200 ms: speech after 60 ms of it, two packets
        new Event(1260, "speech_started", -1),
        // voice ends at 2160 ms; after 300 ms it is silence, counted from 2160: a second of it at 3180, two at 4170
        new Event(3180, "silence", 1020),
        new Event(4170, "silence", 2010)), events);
  }

  @Test
  void tenAndTwentyMsPacketsGiveTheSameMoments() {
    List<Event> expected = List.of(
        new Event(1000, "silence", 1000),
        new Event(1260, "speech_started", -1),
        new Event(3160, "silence", 1000),
        new Event(4160, "silence", 2000));
    assertEquals(expected, detect(line(), 20, 1000));
    assertEquals(expected, detect(line(), 10, 1000));
  }
}
