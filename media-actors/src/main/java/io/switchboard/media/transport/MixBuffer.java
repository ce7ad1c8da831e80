package io.switchboard.media.transport;

import io.switchboard.media.codec.G711;
import java.nio.ByteBuffer;

/**
 * One party's audio on its way into the mix: a small jitter buffer of decoded samples. Packets of any
 * length (10, 20, 30 ms…) are appended as they arrive; the mixer takes exactly 20 ms per tick. Play-out
 * starts once 40 ms are buffered, so arrival jitter up to that does not tear the audio; when the party
 * stops, the buffer runs dry and the party drops out of the mix until it has 40 ms again. If more than
 * 120 ms pile up (a burst, or a peer whose clock runs fast), the oldest audio goes, back to 60 ms.
 *
 * <p>Media thread only; no allocation.
 */
final class MixBuffer {

  private static final int CAPACITY = 2048;
  private static final int PRIME = 320;
  private static final int MAX = 960;
  private static final int TRIM_TO = 480;

  private final short[] ring = new short[CAPACITY];
  private long write;
  private long read;
  private boolean playing;

  void write(G711 law, ByteBuffer in, int offset, int length) {
    int n = Math.min(length, CAPACITY);
    for (int i = 0; i < n; i++) ring[(int) (write++ & (CAPACITY - 1))] = G711.decodeSample(law, in.get(offset + i));
    trim();
  }

  void write(short[] pcm, int samples) {
    for (int i = 0; i < samples; i++) ring[(int) (write++ & (CAPACITY - 1))] = pcm[i];
    trim();
  }

  /** Fills {@code frame} with the next {@code frame.length} samples; false (frame untouched) when the party is silent. */
  boolean read(short[] frame) {
    long buffered = write - read;
    if (!playing) {
      if (buffered < PRIME) return false;
      playing = true;
    }
    if (buffered == 0) {
      playing = false;
      return false;
    }
    int n = (int) Math.min(frame.length, buffered);
    for (int i = 0; i < n; i++) frame[i] = ring[(int) (read++ & (CAPACITY - 1))];
    for (int i = n; i < frame.length; i++) frame[i] = 0;
    return true;
  }

  private void trim() {
    if (write - read > MAX) read = write - TRIM_TO;
  }
}
