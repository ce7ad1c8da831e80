package io.switchboard.media.vad;

import io.switchboard.media.codec.G711;
import java.nio.ByteBuffer;

/**
 * Voice activity detection on one endpoint's inbound audio, 20 ms frame by frame (media thread, no
 * allocation).
 *
 * <p>The decision is energy against an adaptive noise floor, the classic minimum-tracking design: the
 * floor follows the frame energy down at once and creeps up slowly (about 1 dB a second), so steady
 * noise, hum or a line's hiss becomes the floor while speech, which rises and falls many times a second,
 * stands above it. A frame's speech likelihood grows with its height above the floor (a logistic curve,
 * 0.5 at 9 dB) and is zero below an absolute level no voice falls under; {@code speechThreshold} is the
 * likelihood a frame needs. Speech starts after 3 speech frames in a row (60 ms, so clicks do not
 * count) and ends after 300 ms without one (the pauses between words stay inside it).
 */
public final class VoiceActivityDetector {

  /** What the detector reports; called on the media thread. */
  public interface Listener {
    void speechStarted();

    void silence(long silenceMs);
  }

  private static final int FRAME_MS = 20;
  private static final int ONSET_FRAMES = 3;
  private static final int HANGOVER_FRAMES = 15;
  private static final double MIN_SPEECH_DB = 40; // 16-bit scale: an RMS of 100, about −50 dBFS
  private static final double RISE_DB_PER_FRAME = 0.02;

  private final long silenceIntervalMs;
  private final double speechThreshold;
  private final Listener listener;
  private double floorDb = Double.NaN;
  private boolean speaking;
  private int speechRun;
  private int quietRun;
  private long silentMs;
  private long nextSilenceReportMs;

  public VoiceActivityDetector(long silenceIntervalMs, double speechThreshold, Listener listener) {
    this.silenceIntervalMs = silenceIntervalMs;
    this.speechThreshold = speechThreshold;
    this.listener = listener;
    this.nextSilenceReportMs = silenceIntervalMs;
  }

  /** One packet's G.711 payload (20 ms is assumed for timing). */
  public void frame(G711 law, ByteBuffer payload, int offset, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double s = G711.decodeSample(law, payload.get(offset + i));
      sum += s * s;
    }
    level(10 * Math.log10(sum / Math.max(1, length) + 1));
  }

  /** One frame of 16-bit PCM. */
  public void frame(short[] pcm, int samples) {
    double sum = 0;
    for (int i = 0; i < samples; i++) sum += (double) pcm[i] * pcm[i];
    level(10 * Math.log10(sum / Math.max(1, samples) + 1));
  }

  private void level(double db) {
    if (Double.isNaN(floorDb) || db < floorDb) floorDb = Double.isNaN(floorDb) ? db : 0.7 * floorDb + 0.3 * db;
    else floorDb += RISE_DB_PER_FRAME;
    boolean speech = likelihood(db) >= speechThreshold;
    if (speech) {
      speechRun++;
      quietRun = 0;
    } else {
      speechRun = 0;
      quietRun++;
    }
    if (!speaking) {
      if (speechRun >= ONSET_FRAMES) {
        speaking = true;
        listener.speechStarted();
        return;
      }
      silentMs += FRAME_MS;
      if (silentMs >= nextSilenceReportMs) {
        listener.silence(silentMs);
        nextSilenceReportMs += silenceIntervalMs;
      }
    } else if (quietRun >= HANGOVER_FRAMES) {
      speaking = false;
      silentMs = (long) quietRun * FRAME_MS; // the silence began when the last speech frame ended
      nextSilenceReportMs = silenceIntervalMs;
    }
  }

  private double likelihood(double db) {
    if (db < MIN_SPEECH_DB) return 0;
    double above = db - floorDb;
    return 1 / (1 + Math.exp(-(above - 9) / 2.5));
  }
}
