package io.switchboard.media.transport;

import io.switchboard.media.rtp.SequenceNumbers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;

/**
 * Receiver statistics of one RTP stream, per RFC 3550 Appendix A.1 (extended sequence numbers, expected
 * versus received) and A.8 (interarrival jitter in timestamp units, in its integer form). Written by the
 * media thread only; the two results are published through volatile fields, with release stores (a
 * volatile store's fence per packet costs more than the arithmetic), for the control plane to read.
 */
final class ReceptionStats {

  private final int clockRate;
  /** Timestamp units per nanosecond as a 64-bit binary fraction: an arrival converts in one multiplication. */
  private final long unitsPerNanoQ64;
  private boolean started;
  private long baseSeq;
  private long cycles;
  private int maxSeq;
  private long received;
  private long lastTransit;
  /** The jitter times 16, in timestamp units (RFC 3550 §A.8). */
  private long jitter16;
  private volatile long lost;
  private volatile long publishedJitter16;
  private static final VarHandle LOST = ReleaseStore.longField(MethodHandles.lookup(), "lost");
  private static final VarHandle PUBLISHED_JITTER16 = ReleaseStore.longField(MethodHandles.lookup(), "publishedJitter16");
  private long expectedPrior;
  private long receivedPrior;

  ReceptionStats(int clockRate) {
    this.clockRate = clockRate;
    // rounded up, so that a whole number of units stays whole after the multiplication's truncation
    this.unitsPerNanoQ64 = BigInteger.valueOf(clockRate).shiftLeft(64).add(BigInteger.valueOf(NANOS_PER_SECOND - 1))
        .divide(BigInteger.valueOf(NANOS_PER_SECOND)).longValueExact();
  }

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  void packet(int seq, long rtpTimestamp, long arrivalNanos) {
    long arrival = Math.multiplyHigh(arrivalNanos, unitsPerNanoQ64);
    long transit = arrival - rtpTimestamp;
    if (!started) {
      started = true;
      baseSeq = seq;
      maxSeq = seq;
      lastTransit = transit;
    } else {
      // Without branches: every call wraps its numbers (once in 22 minutes at 50 packets a second) and
      // networks reorder, and a branch the JIT compiled as never taken costs a deoptimisation of the media
      // path when it first is.
      int ahead = -SequenceNumbers.delta16(maxSeq, seq) >>> 31; // 1: later than the highest so far
      cycles += (long) (ahead & (seq - maxSeq) >>> 31) << 16; // later, yet numbered lower: wrapped
      maxSeq += ahead * (seq - maxSeq);
      long d = Math.abs((int) (transit - lastTransit));
      lastTransit = transit;
      jitter16 += d - ((jitter16 + 8) >> 4);
      PUBLISHED_JITTER16.setRelease(this, jitter16);
    }
    received++;
    long expected = cycles + maxSeq - baseSeq + 1;
    LOST.setRelease(this, Math.max(0, expected - received));
  }

  boolean started() {
    return started;
  }

  /** The highest sequence number received, extended with the count of wrap-arounds (RFC 3550 §6.4.1). */
  long extendedHighestSeq() {
    return cycles + maxSeq;
  }

  /** Expected minus received, which duplicates can make negative (an RTCP report carries it signed). */
  long cumulativeLost() {
    return cycles + maxSeq - baseSeq + 1 - received;
  }

  /** Jitter in timestamp units, as a report block carries it. */
  long jitterUnits() {
    return jitter16 >> 4;
  }

  /**
   * The fraction of packets lost since the previous call, in 1/256 (RFC 3550 §A.3), and starts the next
   * interval; called once per report sent.
   */
  int fractionLostSinceLastReport() {
    long expected = cycles + maxSeq - baseSeq + 1;
    long expectedInterval = expected - expectedPrior;
    long lostInterval = expectedInterval - (received - receivedPrior);
    expectedPrior = expected;
    receivedPrior = received;
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return (int) Math.min(255, (lostInterval << 8) / expectedInterval);
  }

  long lost() {
    return lost;
  }

  double jitterMs() {
    return publishedJitter16 / 16.0 * 1000.0 / clockRate;
  }
}
