package io.switchboard.media.rtp;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The one RTP stream an endpoint sends to its peer: one SSRC, one line of sequence numbers and one
 * timestamp clock for the whole call, whatever feeds it — a relayed peer, the mixer, injected digits,
 * another peer after a transfer. A phone's jitter buffer sees a single talker that never restarts.
 *
 * <p>Each source (the object that produced the packet plus its own SSRC) gets offsets that map its
 * sequence numbers and timestamps onto the stream. A new source starts right after the stream's last
 * sequence number, at the stream's current media time (its last audio timestamp plus the wall-clock time
 * since). A source seen within the last second keeps its timestamp offset, so audio and digits that
 * interleave stay on one clock and every packet of one digit keeps the digit's timestamp; its sequence
 * numbers continue after whatever the others sent meanwhile.
 *
 * <p>Media thread only; no allocation per packet. Results of {@link #map} are read from {@link #seq()}
 * and {@link #timestamp()}.
 */
public final class OutboundStream {

  private static final long REMEMBER_NANOS = 1_000_000_000L;

  private static final class Source {
    Object key;
    long ssrc;
    int lastIn;
    /** The first input number mapped with the current offset: older ones were numbered before it changed. */
    int firstIn;
    int seqOffset;
    long tsOffset;
    long seenNanos = Long.MIN_VALUE / 2;
  }

  private final long ssrc;
  private final int clockRate;
  private final Source[] sources = {new Source(), new Source(), new Source()};
  private Source current;
  private int lastSeq;
  private long clockTs;
  private long clockNanos;
  private int seq;
  private long timestamp;

  public OutboundStream(int clockRate, long now) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    this.ssrc = random.nextLong(1, 0x1_0000_0000L);
    this.clockRate = clockRate;
    this.lastSeq = random.nextInt(0x10000);
    this.clockTs = random.nextLong(0x1_0000_0000L);
    this.clockNanos = now;
  }

  public long ssrc() { return ssrc; }

  /** The sequence number of the packet last mapped. */
  public int seq() { return seq; }

  /** The timestamp of the packet last mapped. */
  public long timestamp() { return timestamp; }

  /**
   * Maps one packet of {@code key}'s stream {@code sourceSsrc} onto this stream.
   *
   * @param event telephone-event packets carry the digit's start time, so they do not move the clock
   * @return false when the packet must not be sent: a late packet of a source that others have
   *     interrupted since, whose number the stream has already given away
   */
  public boolean map(Object key, long sourceSsrc, int inSeq, long inTs, boolean event, long now) {
    Source s = find(key, sourceSsrc);
    if (s == null || now - s.seenNanos > REMEMBER_NANOS) {
      start(s != null ? s : leastRecent(), key, sourceSsrc, inSeq, inTs, now);
      s = current;
    } else if (s != current) {
      if (SequenceNumbers.delta16(s.lastIn, inSeq) <= 0) return false;
      s.seqOffset = lastSeq - s.lastIn;
      s.firstIn = inSeq;
      current = s;
    } else if (SequenceNumbers.delta16(s.firstIn, inSeq) < 0) {
      return false; // late from before the source was interrupted: its number may be given away
    }
    seq = (inSeq + s.seqOffset) & 0xffff;
    timestamp = (inTs + s.tsOffset) & 0xffffffffL;
    if (SequenceNumbers.delta16(lastSeq, seq) > 0) lastSeq = seq;
    if (SequenceNumbers.delta16(s.lastIn, inSeq) > 0) s.lastIn = inSeq;
    s.seenNanos = now;
    if (!event && SequenceNumbers.delta32(clockTs, timestamp) >= 0) {
      clockTs = timestamp;
      clockNanos = now;
    }
    return true;
  }

  /** The stream's media time at {@code now}: the last audio timestamp plus the time since it was sent. */
  public long timestampAt(long now) {
    long elapsed = Math.max(0, now - clockNanos);
    return (clockTs + elapsed / 1_000_000L * clockRate / 1000L) & 0xffffffffL;
  }

  private void start(Source s, Object key, long sourceSsrc, int inSeq, long inTs, long now) {
    s.key = key;
    s.ssrc = sourceSsrc;
    s.lastIn = (inSeq - 1) & 0xffff;
    s.firstIn = inSeq;
    s.seqOffset = lastSeq + 1 - inSeq;
    s.tsOffset = timestampAt(now) - inTs;
    current = s;
  }

  private Source find(Object key, long sourceSsrc) {
    Source c = current; // nearly always the one: checked first, so one object is read per packet, not all
    if (c != null && c.key == key && c.ssrc == sourceSsrc) return c;
    for (Source s : sources) if (s.key == key && s.ssrc == sourceSsrc) return s;
    return null;
  }

  private Source leastRecent() {
    Source oldest = sources[0];
    for (Source s : sources) if (s.seenNanos - oldest.seenNanos < 0) oldest = s;
    return oldest;
  }
}
