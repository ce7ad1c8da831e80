package io.switchboard.media.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standard call-progress tones as the generator makes them, measured on its PCM: the cadence (on and
 * off times, to the millisecond) and the frequencies and level while on (Goertzel with a Hann window).
 */
class ToneGeneratorTest {

  private static final int RATE = 8000;

  /** {@code seconds} of the tone, read frame by frame as the media thread reads it. */
  static short[] play(ToneSpec spec, int seconds) {
    ToneGenerator generator = new ToneGenerator(spec);
    short[] out = new short[seconds * RATE];
    short[] frame = new short[FrameSource.FRAME];
    for (int at = 0; at < out.length; at += FrameSource.FRAME) {
      assertEquals(FrameSource.AUDIO, generator.read(frame), "a planned tone plays until removed");
      System.arraycopy(frame, 0, out, at, FrameSource.FRAME);
    }
    return out;
  }

  /**
   * Lengths in ms of the alternating on and off parts, first part first. A millisecond is off when all
   * its 8 samples are zero: a sounding dual or single tone never has 8 zero samples in a row.
   */
  static List<Integer> runsMs(short[] pcm) {
    List<Integer> runs = new ArrayList<>();
    boolean current = true;
    int length = 0;
    for (int ms = 0; ms < pcm.length / 8; ms++) {
      boolean on = false;
      for (int i = 0; i < 8; i++) on |= pcm[ms * 8 + i] != 0;
      if (ms == 0) assertTrue(on, "a tone starts with its on part");
      if (on != current) {
        runs.add(length);
        current = on;
        length = 0;
      }
      length++;
    }
    runs.add(length);
    return runs;
  }

  /** Amplitude of {@code hz} in {@code n} samples from {@code from}: Goertzel over a Hann window (4|X|/n). */
  static double amplitude(short[] pcm, int from, int n, double hz) {
    double k = 2 * Math.cos(2 * Math.PI * hz / RATE);
    double s1 = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
      double s0 = pcm[from + i] * w + k * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return 4 * Math.sqrt(s1 * s1 + s2 * s2 - k * s1 * s2) / n;
  }

  /**
   * The part that starts at {@code fromMs} and lasts {@code ms} carries exactly {@code frequencies}, each
   * at the generator's level (peak 4000 of 32767: about −16 dBm0), and nothing else between 200 and 2000 Hz.
   */
  static void assertSounds(short[] pcm, int fromMs, int ms, double... frequencies) {
    int from = fromMs * 8;
    int n = ms * 8;
    for (double f : frequencies) {
      double a = amplitude(pcm, from, n, f);
      assertEquals(4000, a, 4000 * 0.03, f + " Hz at its level");
    }
    for (double hz = 200; hz <= 2000; hz += 5) {
      boolean near = false;
      for (double f : frequencies) near |= Math.abs(hz - f) < 15;
      if (!near) assertTrue(amplitude(pcm, from, n, hz) < 40, "nothing at " + hz + " Hz: " + amplitude(pcm, from, n, hz));
    }
  }

  static void assertSilent(short[] pcm, int fromMs, int ms) {
    for (int i = fromMs * 8; i < (fromMs + ms) * 8; i++) assertEquals(0, pcm[i], "silent at sample " + i);
  }

  @Test
  void usRingbackIs440And480HzTwoSecondsOnFourOff() {
    short[] pcm = play(ToneSpec.of("ringback", null, null, "us"), 13);
    assertEquals(List.of(2000, 4000, 2000, 4000, 1000), runsMs(pcm));
    assertSounds(pcm, 0, 2000, 440, 480);
    assertSounds(pcm, 6000, 2000, 440, 480);
    assertSilent(pcm, 2000, 4000);
  }

  @Test
  void usBusyIs480And620HzHalfASecondOnHalfOff() {
    short[] pcm = play(ToneSpec.of("busy", null, null, "US"), 3);
    assertEquals(List.of(500, 500, 500, 500, 500, 500), runsMs(pcm));
    assertSounds(pcm, 0, 500, 480, 620);
    assertSounds(pcm, 2000, 500, 480, 620);
    assertSilent(pcm, 500, 500);
  }

  @Test
  void euRingbackIs425HzOneSecondOnFourOff() {
    short[] pcm = play(ToneSpec.of("ringback", null, null, "eu"), 11);
    assertEquals(List.of(1000, 4000, 1000, 4000, 1000), runsMs(pcm));
    assertSounds(pcm, 0, 1000, 425);
    assertSounds(pcm, 5000, 1000, 425);
    assertSilent(pcm, 1000, 4000);
  }

  @Test
  void euBusyIs425HzHalfASecondOnHalfOff() {
    short[] pcm = play(ToneSpec.of("busy", null, null, "eu"), 3);
    assertEquals(List.of(500, 500, 500, 500, 500, 500), runsMs(pcm));
    assertSounds(pcm, 0, 500, 425);
    assertSounds(pcm, 1000, 500, 425);
    assertSilent(pcm, 1500, 500);
  }

  @Test
  void ringingIsTheRingbackAlias() {
    assertEquals(List.of(2000, 4000, 1000), runsMs(play(ToneSpec.of("ringing", null, null, null), 7)));
  }
}
