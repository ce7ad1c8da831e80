package io.switchboard.media.rtp;

/** Wrap-aware comparison of 16-bit RTP sequence numbers and 32-bit timestamps (RFC 3550 §A.1). */
public final class SequenceNumbers {

  private SequenceNumbers() {}

  /** Signed distance from {@code a} to {@code b} on the 16-bit circle: positive when b is newer. */
  public static int delta16(int a, int b) {
    return (short) (b - a);
  }

  public static boolean isNewer16(int candidate, int reference) {
    return delta16(reference, candidate) > 0;
  }

  /** Signed distance from {@code a} to {@code b} on the 32-bit circle. */
  public static long delta32(long a, long b) {
    return (int) (b - a);
  }
}
