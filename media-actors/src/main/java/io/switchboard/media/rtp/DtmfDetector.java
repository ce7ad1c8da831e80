package io.switchboard.media.rtp;

/**
 * Turns the RFC 4733 packets of one stream into completed digits, each reported once: an event is
 * identified by its RTP timestamp (all packets of one event share it, §2.5.1.2), and a later event has a
 * later timestamp, so the redundant end packets, and end packets of an older event that arrive late,
 * are recognised as repeats.
 * One instance per endpoint; called on the media path, so it neither allocates nor blocks.
 */
public final class DtmfDetector {

  /** What completing a digit produces. */
  public interface Sink {
    void digit(char digit, int durationMs);
  }

  private final int clockRate;
  private long lastCompletedTimestamp = -1;

  public DtmfDetector(int clockRate) {
    this.clockRate = clockRate;
  }

  /**
   * Feeds one validated telephone-event packet.
   *
   * @return true when this packet completed a digit (and {@code sink} was told)
   */
  public boolean accept(long rtpTimestamp, int event, boolean end, int duration, Sink sink) {
    if (!end) return false;
    if (lastCompletedTimestamp >= 0 && SequenceNumbers.delta32(lastCompletedTimestamp, rtpTimestamp) <= 0) return false;
    lastCompletedTimestamp = rtpTimestamp;
    char digit = TelephoneEvent.digit(event);
    if (digit == 0) return false;
    sink.digit(digit, (int) (duration * 1000L / clockRate));
    return true;
  }
}
