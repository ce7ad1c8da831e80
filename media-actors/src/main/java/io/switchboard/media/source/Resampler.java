package io.switchboard.media.source;

import java.util.Arrays;

/**
 * Converts mono audio from any rate to 8 kHz with a windowed-sinc low-pass (Blackman window, 32 taps at
 * the lower of the two rates, cut-off at 90% of the new Nyquist), so what lies above 4 kHz in a 44.1 kHz
 * file is filtered out instead of folding back into the voice band. Streaming: samples are pushed as the
 * decoder makes them and only the filter's window of input is kept, so a long file costs its 8 kHz
 * output, not its decoded original. The kernel is tabulated once per resampler.
 */
final class Resampler {

  private static final int HALF_TAPS = 16;
  private static final int PHASES = 512;
  private static final double CUTOFF = 0.9;

  private final int rate;
  private final double step;
  private final int half;
  private final double[] table;
  private float[] in = new float[16384];
  /** Absolute index of in[0]; in holds [base, base + count). */
  private long base;
  private int count;
  private short[] out = new short[Clip.RATE * 8];
  private int produced;
  private final long maxSamples;

  /** @param maxSamples more output than this is an error (the clip would be too long) */
  Resampler(int rate, long maxSamples) {
    this.rate = rate;
    this.step = (double) rate / Clip.RATE;
    double scale = Math.min(1.0, 1.0 / step) * CUTOFF;
    this.half = rate == Clip.RATE ? 0 : (int) Math.ceil(HALF_TAPS / Math.min(1.0, 1.0 / step));
    this.table = rate == Clip.RATE ? new double[0] : kernel(half, scale);
    this.maxSamples = maxSamples;
  }

  void push(float sample) {
    if (rate == Clip.RATE) {
      emit(clamp(sample));
      return;
    }
    if (count == in.length) compact();
    in[count++] = sample;
    // output n needs input up to floor(n * step) + half
    while ((long) Math.floor(produced * step) + half < base + count) produce(false);
  }

  /** The clip of everything pushed: the last outputs see silence after the end. */
  Clip finish() {
    if (rate != Clip.RATE) {
      long total = base + count;
      long outputs = (long) Math.floor(total / step);
      while (produced < outputs) produce(true);
    }
    return new Clip(Arrays.copyOf(out, produced));
  }

  private void produce(boolean atEnd) {
    double center = produced * step;
    long c = (long) Math.floor(center);
    double frac = center - c;
    double sum = 0;
    double norm = 0;
    for (int k = -half + 1; k <= half; k++) {
      long i = c + k;
      int idx = (int) Math.round(Math.abs(k - frac) * PHASES);
      if (idx >= table.length) continue;
      double w = table[idx];
      norm += w;
      if (i >= base && i < base + count) sum += in[(int) (i - base)] * w;
    }
    emit(clamp((float) (norm == 0 ? 0 : sum / norm)));
  }

  /** Drops input no future output needs. */
  private void compact() {
    long keepFrom = Math.max(base, (long) Math.floor(produced * step) - half);
    int drop = (int) (keepFrom - base);
    if (drop > 0) {
      System.arraycopy(in, drop, in, 0, count - drop);
      count -= drop;
      base = keepFrom;
    }
    if (count == in.length) in = Arrays.copyOf(in, in.length * 2);
  }

  private void emit(short s) {
    if (produced >= maxSamples) throw new IllegalStateException("longer than " + maxSamples / Clip.RATE + " seconds");
    if (produced == out.length) out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, out.length * 2L));
    out[produced++] = s;
  }

  /** The filter at |x| = idx / PHASES input samples from the centre. */
  private static double[] kernel(int half, double scale) {
    double[] t = new double[half * PHASES + 1];
    for (int idx = 0; idx < t.length; idx++) {
      double x = (double) idx / PHASES;
      double sinc = x == 0 ? 1 : Math.sin(Math.PI * x * scale) / (Math.PI * x * scale);
      double phase = (x + half) / (2.0 * half);
      double blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * phase) + 0.08 * Math.cos(4 * Math.PI * phase);
      t[idx] = sinc * blackman;
    }
    return t;
  }

  private static short clamp(float v) {
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
  }
}
