package io.switchboard.media.source;

/**
 * Decoded audio ready to play: 16-bit mono PCM at 8 kHz. Immutable once made, so one clip serves any
 * number of players at once (shared hold music costs one decode).
 */
public record Clip(short[] samples) {

  public static final int RATE = 8000;

  public long durationMs() {
    return samples.length * 1000L / RATE;
  }
}
