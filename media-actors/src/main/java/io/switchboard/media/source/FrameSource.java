package io.switchboard.media.source;

/**
 * Audio made on the node rather than received from a peer: tones and files. The media thread
 * asks for one 20 ms frame (160 samples of 16-bit PCM at 8 kHz) per tick; a source never blocks there.
 */
public interface FrameSource {

  /** Samples in one frame: 20 ms at 8 kHz. */
  int FRAME = 160;

  /** {@link #read} made a frame. */
  int AUDIO = 1;
  /** {@link #read} has nothing this tick (paused, still loading): nothing is sent, the source goes on. */
  int NOTHING = 0;
  /** {@link #read}: the source has ended. */
  int ENDED = -1;

  /**
   * Fills {@code frame} with the next 20 ms.
   *
   * @return {@link #AUDIO}, {@link #NOTHING} or {@link #ENDED}
   * @throws RuntimeException when the source failed; the endpoint reports it and goes quiet
   */
  int read(short[] frame);
}
