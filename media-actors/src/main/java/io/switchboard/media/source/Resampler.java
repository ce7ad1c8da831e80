package io.switchboard.media.source;

/**
 * Converts mono audio from any rate to 8 kHz with a windowed-sinc low-pass (Blackman window, 32 taps at
 * the lower of the two rates, cut-off at 90% of the new Nyquist), so what lies above 4 kHz in a 44.1 kHz
 * file is filtered out instead of folding back into the voice band. The kernel is tabulated once.
 */
final class Resampler {

  private static final int HALF_TAPS = 16;
  private static final int PHASES = 512;
  private static final double CUTOFF = 0.9;

  private Resampler() {}

  static short[] to8k(float[] in, int rate) {
    if (rate == Clip.RATE) {
      short[] out = new short[in.length];
      for (int i = 0; i < in.length; i++) out[i] = clamp(in[i]);
      return out;
    }
    double step = (double) rate / Clip.RATE;          // input samples per output sample
    double scale = Math.min(1.0, 1.0 / step) * CUTOFF; // low-pass relative to the input's Nyquist
    int half = (int) Math.ceil(HALF_TAPS / Math.min(1.0, 1.0 / step));
    double[] table = kernel(half, scale);
    int outLength = (int) Math.floor(in.length / step);
    short[] out = new short[outLength];
    for (int n = 0; n < outLength; n++) {
      double center = n * step;
      int c = (int) Math.floor(center);
      double frac = center - c;
      double sum = 0;
      double norm = 0;
      for (int k = -half + 1; k <= half; k++) {
        int i = c + k;
        double x = k - frac;
        int idx = (int) Math.round(Math.abs(x) * PHASES);
        if (idx >= table.length) continue;
        double w = table[idx];
        norm += w;
        if (i >= 0 && i < in.length) sum += in[i] * w;
      }
      out[n] = clamp((float) (norm == 0 ? 0 : sum / norm));
    }
    return out;
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
