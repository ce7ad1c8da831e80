package io.switchboard.media.vad;

import io.switchboard.media.codec.G711;
import java.nio.ByteBuffer;

/**
 * Voice activity detection on one endpoint's inbound audio, packet by packet (media thread, no
 * allocation).
 *
 * <p>The decision is energy against an adaptive noise floor, the classic minimum-tracking design: the
 * floor follows the packet energy down at once and creeps up slowly (about 1 dB a second), so steady
 * noise, hum or a line's hiss becomes the floor while speech, which rises and falls many times a second,
 * stands above it. A packet's speech likelihood grows with its height above the floor (a logistic curve,
 * 0.5 at 9 dB) and is zero below an absolute level no voice falls under; {@code speechThreshold} is the
 * likelihood a packet needs. Speech starts after 60 ms of speech packets in a row (so clicks do not
 * count) and ends after 300 ms without one (the pauses between words stay inside it).
 *
 * <p>All timing is audio time, taken from each packet's length (8 kHz: G.711 carries one sample per
 * byte), never from a packet count: peers send 10, 20, 30 ms or longer packets, and silence must last
 * as long in the events as it did on the line.
 */
public final class VoiceActivityDetector {

  /** What the detector reports; called on the media thread. */
  public interface Listener {
    void speechStarted();

    void silence(long silenceMs);
  }

  private static final int SAMPLES_PER_MS = 8;
  private static final long ONSET_SAMPLES = 60 * SAMPLES_PER_MS;
  private static final long HANGOVER_SAMPLES = 300 * SAMPLES_PER_MS;
  private static final double MIN_SPEECH_DB = 40; // 16-bit scale: an RMS of 100, about −50 dBFS
  private static final double RISE_DB_PER_SAMPLE = 1.0 / 8000; // 1 dB a second

  private final long silenceIntervalSamples;
  private final double speechThreshold;
  private final Listener listener;
  private double floorDb = Double.NaN;
  private boolean speaking;
  private long speechRun;
  private long quietRun;
  private long silentSamples;
  private long nextSilenceReport;

  public VoiceActivityDetector(long silenceIntervalMs, double speechThreshold, Listener listener) {
    this.silenceIntervalSamples = silenceIntervalMs * SAMPLES_PER_MS;
    this.speechThreshold = speechThreshold;
    this.listener = listener;
    this.nextSilenceReport = silenceIntervalSamples;
  }

  /** One packet's G.711 payload: {@code length} bytes are as many samples, {@code length / 8} ms. */
  public void frame(G711 law, ByteBuffer payload, int offset, int length) {
    if (length <= 0) return;
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double s = G711.decodeSample(law, payload.get(offset + i));
      sum += s * s;
    }
    level(10 * Math.log10(sum / length + 1), length);
  }

  /** One frame of 16-bit PCM at 8 kHz. */
  public void frame(short[] pcm, int samples) {
    if (samples <= 0) return;
    double sum = 0;
    for (int i = 0; i < samples; i++) sum += (double) pcm[i] * pcm[i];
    level(10 * Math.log10(sum / samples + 1), samples);
  }

  private void level(double db, int samples) {
    if (Double.isNaN(floorDb) || db < floorDb) floorDb = Double.isNaN(floorDb) ? db : 0.7 * floorDb + 0.3 * db;
    else floorDb += RISE_DB_PER_SAMPLE * samples;
    boolean speech = likelihood(db) >= speechThreshold;
    if (speech) {
      speechRun += samples;
      quietRun = 0;
    } else {
      speechRun = 0;
      quietRun += samples;
    }
    if (!speaking) {
      if (speechRun >= ONSET_SAMPLES) {
        speaking = true;
        listener.speechStarted();
        return;
      }
      silentSamples += samples;
      if (silentSamples >= nextSilenceReport) {
        listener.silence(silentSamples / SAMPLES_PER_MS);
        nextSilenceReport += silenceIntervalSamples;
      }
    } else if (quietRun >= HANGOVER_SAMPLES) {
      speaking = false;
      silentSamples = quietRun; // the silence began when the last speech packet ended
      nextSilenceReport = silenceIntervalSamples;
    }
  }

  private double likelihood(double db) {
    if (db < MIN_SPEECH_DB) return 0;
    double above = db - floorDb;
    return 1 / (1 + Math.exp(-(above - 9) / 2.5));
  }
}
