package io.switchboard.media.rtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Walks a compound RTCP packet (RFC 3550 §6) and reports what statistics and control need: sender
 * reports, report blocks (for loss, jitter and round-trip time) and BYE. Every length is checked against
 * the datagram before it is used; a packet whose lengths lie is dropped whole, before any callback.
 */
public final class RtcpParser {

  public static final int SR = 200;
  public static final int RR = 201;
  public static final int SDES = 202;
  public static final int BYE = 203;
  public static final int APP = 204;

  /** Receives the parts of a compound packet. Default methods ignore them. */
  public interface Listener {
    /** @param ntpMiddle32 the middle 32 bits of the NTP timestamp, echoed by receivers as LSR */
    default void senderReport(long ssrc, long ntpMiddle32, long rtpTimestamp, long packets, long octets) {}

    /** One report block about {@code sourceSsrc} from {@code reporterSsrc}. LSR and DLSR in 1/65536 s. */
    default void reportBlock(long reporterSsrc, long sourceSsrc, int fractionLost, int cumulativeLost,
                             long extendedHighestSeq, long jitter, long lsr, long dlsr) {}

    /** {@code reason} is null when the BYE carries none. */
    default void bye(long[] ssrcs, String reason) {}
  }

  private RtcpParser() {}

  /** True when the second byte marks RTCP on a multiplexed port (RFC 5761 §4: PT 192–223). */
  public static boolean looksLikeRtcp(ByteBuffer buf, int offset, int length) {
    if (length < 2) return false;
    int pt = buf.get(offset + 1) & 0xff;
    return pt >= 192 && pt <= 223;
  }

  /** Validates the whole compound packet, then reports its parts to {@code listener}. */
  public static DropReason parse(ByteBuffer buf, int offset, int length, Listener listener) {
    DropReason check = walk(buf, offset, length, null);
    if (check != DropReason.NONE) return check;
    return walk(buf, offset, length, listener);
  }

  private static DropReason walk(ByteBuffer buf, int offset, int length, Listener listener) {
    int end = offset + length;
    int at = offset;
    if (length < 4) return DropReason.TOO_SHORT;
    while (at < end) {
      if (end - at < 4) return DropReason.RTCP_LENGTH;
      int b0 = buf.get(at) & 0xff;
      if ((b0 >>> 6) != 2) return DropReason.BAD_VERSION;
      int count = b0 & 0x1f;
      int type = buf.get(at + 1) & 0xff;
      int bytes = 4 * ((buf.getShort(at + 2) & 0xffff) + 1);
      if (bytes > end - at) return DropReason.RTCP_LENGTH;
      int bodyEnd = at + bytes;
      if ((b0 & 0x20) != 0) {
        int pad = buf.get(bodyEnd - 1) & 0xff;
        if (pad == 0 || pad > bytes - 4) return DropReason.RTCP_LENGTH;
        bodyEnd -= pad;
      }
      DropReason r = switch (type) {
        case SR -> reports(buf, at, bodyEnd, count, true, listener);
        case RR -> reports(buf, at, bodyEnd, count, false, listener);
        case BYE -> bye(buf, at, bodyEnd, count, listener);
        default -> DropReason.NONE; // SDES, APP, feedback: not needed here, skipped by length
      };
      if (r != DropReason.NONE) return r;
      at += bytes;
    }
    return DropReason.NONE;
  }

  private static DropReason reports(ByteBuffer buf, int at, int bodyEnd, int count, boolean sender, Listener listener) {
    int blocks = at + 8 + (sender ? 20 : 0);
    if (blocks + 24L * count > bodyEnd) return DropReason.RTCP_REPORT_OVERRUN;
    if (listener == null) return DropReason.NONE;
    long reporter = buf.getInt(at + 4) & 0xffffffffL;
    if (sender) {
      long ntpMiddle = ((buf.getInt(at + 8) & 0xffffL) << 16) | ((buf.getInt(at + 12) >>> 16) & 0xffffL);
      listener.senderReport(reporter, ntpMiddle, buf.getInt(at + 16) & 0xffffffffL,
          buf.getInt(at + 20) & 0xffffffffL, buf.getInt(at + 24) & 0xffffffffL);
    }
    for (int i = 0; i < count; i++) {
      int b = blocks + 24 * i;
      int lossWord = buf.getInt(b + 4);
      int cumulative = (lossWord << 8) >> 8; // 24-bit signed (RFC 3550 §6.4.1)
      listener.reportBlock(reporter, buf.getInt(b) & 0xffffffffL, (lossWord >>> 24) & 0xff, cumulative,
          buf.getInt(b + 8) & 0xffffffffL, buf.getInt(b + 12) & 0xffffffffL,
          buf.getInt(b + 16) & 0xffffffffL, buf.getInt(b + 20) & 0xffffffffL);
    }
    return DropReason.NONE;
  }

  private static DropReason bye(ByteBuffer buf, int at, int bodyEnd, int count, Listener listener) {
    int reasonAt = at + 4 + 4 * count;
    if (reasonAt > bodyEnd) return DropReason.RTCP_BYE_OVERRUN;
    String reason = null;
    if (reasonAt < bodyEnd) {
      int len = buf.get(reasonAt) & 0xff;
      if (reasonAt + 1 + len > bodyEnd) return DropReason.RTCP_BYE_OVERRUN;
      if (listener != null && len > 0) {
        byte[] text = new byte[len];
        buf.get(reasonAt + 1, text);
        reason = new String(text, StandardCharsets.UTF_8);
      }
    }
    if (listener != null) {
      long[] ssrcs = new long[count];
      for (int i = 0; i < count; i++) ssrcs[i] = buf.getInt(at + 4 + 4 * i) & 0xffffffffL;
      listener.bye(ssrcs, reason);
    }
    return DropReason.NONE;
  }
}
