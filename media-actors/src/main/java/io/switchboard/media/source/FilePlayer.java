package io.switchboard.media.source;

/**
 * Plays a {@link Clip} in 20 ms frames: from {@code start_ms}, {@code loops} more times after the first
 * (or for ever), with pause, resume and seek from the control plane. Silent until the clip arrives.
 *
 * <p>The control plane writes the volatile requests; the media thread applies them at the next frame,
 * so a frame never mixes two positions.
 */
public final class FilePlayer implements FrameSource {

  /** Loops for ever. */
  public static final int FOREVER = -1;

  private volatile Clip clip;
  private volatile boolean paused;
  /** A pending seek in ms, or -1; taken whole by the media thread so none is lost. */
  private final java.util.concurrent.atomic.AtomicLong seekRequest = new java.util.concurrent.atomic.AtomicLong(-1);
  private int position;
  private int loopsLeft;

  /**
   * @param startMs where the first play starts
   * @param loops plays after the first, or {@link #FOREVER}
   */
  public FilePlayer(long startMs, int loops) {
    this.seekRequest.set(startMs);
    this.loopsLeft = loops;
  }

  /** The clip is ready: playing starts with the next frame. */
  public void start(Clip decoded) {
    clip = decoded;
  }

  public void pause() {
    paused = true;
  }

  public void resume() {
    paused = false;
  }

  /** Moves to {@code positionMs} (clamped to the clip) at the next frame. */
  public void seek(long positionMs) {
    seekRequest.set(positionMs);
  }

  @Override
  public int read(short[] frame) {
    Clip c = clip;
    if (c == null || paused) return NOTHING;
    short[] samples = c.samples();
    if (samples.length == 0) return ENDED;
    long seek = seekRequest.getAndSet(-1);
    if (seek >= 0) {
      position = (int) Math.min(samples.length, seek * Clip.RATE / 1000);
    }
    if (position >= samples.length && !nextLoop()) return ENDED;
    int filled = 0;
    while (filled < FRAME) {
      int n = Math.min(FRAME - filled, samples.length - position);
      System.arraycopy(samples, position, frame, filled, n);
      filled += n;
      position += n;
      if (position >= samples.length && (filled == FRAME || !nextLoop())) break;
    }
    for (int i = filled; i < FRAME; i++) frame[i] = 0;
    return AUDIO;
  }

  private boolean nextLoop() {
    if (loopsLeft == 0) return false;
    if (loopsLeft > 0) loopsLeft--;
    position = 0;
    return true;
  }
}
