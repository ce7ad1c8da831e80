package io.switchboard.media.source;

/**
 * Plays a {@link ToneSpec}: the sum of its frequencies, switched on and off by its cadence, for its
 * duration. The phase runs on through the silent parts and across frames, so the tone has no clicks
 * between frames; each cadence step starts and ends on a sample boundary at 8 kHz.
 */
public final class ToneGenerator implements FrameSource {

  /** Peak amplitude of each component: about −16 dBm0 per frequency, so a dual tone never clips. */
  private static final double AMPLITUDE = 4000;
  private static final int RATE = 8000;

  private final double[] step;
  private final int[] cadenceEnds;
  private final long cycle;
  private final long totalSamples;
  private long n;

  public ToneGenerator(ToneSpec spec) {
    step = new double[spec.frequencies().length];
    for (int i = 0; i < step.length; i++) step[i] = 2 * Math.PI * spec.frequencies()[i] / RATE;
    int[] cadence = spec.cadenceMs();
    cadenceEnds = new int[cadence.length];
    int end = 0;
    for (int i = 0; i < cadence.length; i++) cadenceEnds[i] = end += cadence[i] * RATE / 1000;
    cycle = end;
    totalSamples = spec.durationMs() * RATE / 1000;
  }

  @Override
  public int read(short[] frame) {
    if (totalSamples > 0 && n >= totalSamples) return ENDED;
    for (int i = 0; i < FRAME; i++, n++) {
      boolean on = (totalSamples == 0 || n < totalSamples) && isOn(n);
      double v = 0;
      if (on) for (double s : step) v += Math.sin(s * n);
      frame[i] = (short) Math.round(AMPLITUDE * v);
    }
    return AUDIO;
  }

  private boolean isOn(long sample) {
    if (cycle == 0) return true;
    long t = sample % cycle;
    for (int i = 0; i < cadenceEnds.length; i++) if (t < cadenceEnds[i]) return i % 2 == 0;
    return false;
  }
}
