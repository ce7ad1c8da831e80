package io.switchboard.media.transport;

import io.switchboard.media.rtp.SequenceNumbers;

/**
 * Receiver statistics of one RTP stream, per RFC 3550 Appendix A.1 (extended sequence numbers, expected
 * versus received) and A.8 (interarrival jitter in timestamp units). Written by the media thread only;
 * the two results are published through volatile fields for the control plane to read.
 */
final class ReceptionStats {

  private final int clockRate;
  private boolean started;
  private long baseSeq;
  private long cycles;
  private int maxSeq;
  private long received;
  private long lastTransit;
  private double jitter;
  private volatile long lost;
  private volatile double jitterMs;
  private long expectedPrior;
  private long receivedPrior;

  ReceptionStats(int clockRate) {
    this.clockRate = clockRate;
  }

  void packet(int seq, long rtpTimestamp, long arrivalNanos) {
    long arrival = arrivalNanos / 1_000_000L * clockRate / 1000L + (arrivalNanos % 1_000_000L) * clockRate / 1_000_000_000L;
    long transit = arrival - rtpTimestamp;
    if (!started) {
      started = true;
      baseSeq = seq;
      maxSeq = seq;
      lastTransit = transit;
    } else {
      int delta = SequenceNumbers.delta16(maxSeq, seq);
      if (delta > 0) {
        if (seq < maxSeq) cycles += 65536; // wrapped
        maxSeq = seq;
      }
      long d = Math.abs((int) (transit - lastTransit));
      lastTransit = transit;
      jitter += (d - jitter) / 16.0;
      jitterMs = jitter * 1000.0 / clockRate;
    }
    received++;
    long expected = cycles + maxSeq - baseSeq + 1;
    lost = Math.max(0, expected - received);
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
    return (long) jitter;
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
    return jitterMs;
  }
}
