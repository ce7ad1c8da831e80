package io.switchboard.media.codec;

import java.nio.ByteBuffer;

/**
 * An audio codec as the media path uses it: frames in and out of linear 16-bit PCM at the codec's
 * sample rate, into caller-owned arrays and buffers so that nothing is allocated per packet.
 * G.711 is stateless; stateful codecs (G.722, Opus) keep their state in their instance, one per stream.
 */
public interface AudioCodec {

  /** The rtpmap encoding name, e.g. {@code PCMU}. */
  String name();

  /** RTP clock rate (Hz). */
  int clockRate();

  /** Sample rate of the PCM it decodes to and encodes from (Hz). */
  default int sampleRate() {
    return clockRate();
  }

  /** Decodes {@code length} payload bytes; returns the number of samples written to {@code pcm}. */
  int decode(ByteBuffer payload, int offset, int length, short[] pcm);

  /** Encodes {@code samples} samples of {@code pcm} at {@code at}; returns the bytes written. */
  int encode(short[] pcm, int samples, ByteBuffer out, int at);
}
