package io.switchboard.media.rtp;

import java.nio.ByteBuffer;

/**
 * Writes the parts of a compound RTCP packet (RFC 3550 §6.4, §6.5, §6.6) into a buffer: a sender or
 * receiver report with at most one report block, the SDES CNAME every compound packet must carry, and
 * BYE. Each method writes at {@code at} and returns the offset after what it wrote.
 */
public final class RtcpWriter {

  private RtcpWriter() {}

  /**
   * A sender report when {@code sender} is true, else a receiver report; {@code blocks} (0 or 1) report
   * blocks must follow it, written with {@link #reportBlock}.
   */
  public static int report(ByteBuffer b, int at, boolean sender, int blocks, long ssrc, long ntp, long rtpTimestamp,
                           long packets, long octets) {
    int words = (sender ? 6 : 1) + 6 * blocks; // length field: 32-bit words minus one
    header(b, at, blocks, sender ? RtcpParser.SR : RtcpParser.RR, words);
    b.putInt(at + 4, (int) ssrc);
    if (!sender) return at + 8;
    b.putLong(at + 8, ntp);
    b.putInt(at + 16, (int) rtpTimestamp);
    b.putInt(at + 20, (int) packets);
    b.putInt(at + 24, (int) octets);
    return at + 28;
  }

  /** One report block about {@code sourceSsrc}; {@code cumulativeLost} is clamped to its 24 signed bits. */
  public static int reportBlock(ByteBuffer b, int at, long sourceSsrc, int fractionLost, long cumulativeLost,
                                long extendedHighestSeq, long jitter, long lsr, long dlsr) {
    int lost = (int) Math.max(-0x800000, Math.min(0x7fffff, cumulativeLost)) & 0xffffff;
    b.putInt(at, (int) sourceSsrc);
    b.putInt(at + 4, (fractionLost & 0xff) << 24 | lost);
    b.putInt(at + 8, (int) extendedHighestSeq);
    b.putInt(at + 12, (int) jitter);
    b.putInt(at + 16, (int) lsr);
    b.putInt(at + 20, (int) dlsr);
    return at + 24;
  }

  /** SDES with one chunk holding the CNAME item (at most 255 bytes of UTF-8), padded to a word. */
  public static int sdesCname(ByteBuffer b, int at, long ssrc, byte[] cname) {
    int itemsLength = 2 + cname.length + 1; // CNAME type and length, the text, END
    int padded = (itemsLength + 3) & ~3;
    header(b, at, 1, RtcpParser.SDES, (4 + padded) / 4);
    b.putInt(at + 4, (int) ssrc);
    int p = at + 8;
    b.put(p, (byte) 1).put(p + 1, (byte) cname.length).put(p + 2, cname);
    for (int i = 2 + cname.length; i < padded; i++) b.put(p + i, (byte) 0);
    return p + padded;
  }

  /** BYE for {@code ssrc}, without a reason. */
  public static int bye(ByteBuffer b, int at, long ssrc) {
    header(b, at, 1, RtcpParser.BYE, 1);
    b.putInt(at + 4, (int) ssrc);
    return at + 8;
  }

  private static void header(ByteBuffer b, int at, int count, int type, int lengthWords) {
    b.put(at, (byte) (0x80 | count));
    b.put(at + 1, (byte) type);
    b.putShort(at + 2, (short) lengthWords);
  }
}
