package io.switchboard.media.rtp;

import java.nio.ByteBuffer;

/**
 * A view of an RTP packet (RFC 3550 §5.1) in a buffer, from {@code offset} for {@code length} bytes.
 * Nothing is copied and nothing allocated: one instance is re-pointed at each packet with {@link #wrap}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers  (CC x 32)  |
 * |  profile-defined (16)         |  extension length in words    |  (if X)
 * </pre>
 *
 * <p>{@link #validate()} checks every bound once, at the edge, with arithmetic that cannot overflow;
 * the accessors assume a packet that passed it.
 */
public final class RtpHeader {

  public static final int FIXED_LENGTH = 12;

  private ByteBuffer buf;
  private int offset;
  private int length;
  private int payloadOffset;
  private int payloadLength;

  public RtpHeader wrap(ByteBuffer buffer, int offset, int length) {
    this.buf = buffer;
    this.offset = offset;
    this.length = length;
    return this;
  }

  /** Checks version, lengths, CSRC list, extension and padding; on success the payload bounds are known. */
  public DropReason validate() {
    if (length < FIXED_LENGTH) return DropReason.TOO_SHORT;
    int b0 = buf.get(offset) & 0xff;
    if ((b0 >>> 6) != 2) return DropReason.BAD_VERSION;
    int headerLength = FIXED_LENGTH + 4 * (b0 & 0x0f);
    if (headerLength > length) return DropReason.CSRC_OVERRUN;
    if ((b0 & 0x10) != 0) {
      if (headerLength + 4 > length) return DropReason.EXTENSION_OVERRUN;
      int words = buf.getShort(offset + headerLength + 2) & 0xffff;
      headerLength += 4 + 4 * words; // at most 12 + 60 + 4 + 262140: no int overflow
      if (headerLength > length) return DropReason.EXTENSION_OVERRUN;
    }
    int padding = 0;
    if ((b0 & 0x20) != 0) {
      padding = buf.get(offset + length - 1) & 0xff;
      if (padding == 0 || headerLength + padding > length) return DropReason.PADDING_OVERRUN;
    }
    payloadOffset = offset + headerLength;
    payloadLength = length - headerLength - padding;
    return DropReason.NONE;
  }

  public int version() { return (buf.get(offset) & 0xff) >>> 6; }

  public boolean padding() { return (buf.get(offset) & 0x20) != 0; }

  public boolean extension() { return (buf.get(offset) & 0x10) != 0; }

  public int csrcCount() { return buf.get(offset) & 0x0f; }

  public boolean marker() { return (buf.get(offset + 1) & 0x80) != 0; }

  public int payloadType() { return buf.get(offset + 1) & 0x7f; }

  public int sequenceNumber() { return buf.getShort(offset + 2) & 0xffff; }

  public long timestamp() { return buf.getInt(offset + 4) & 0xffffffffL; }

  public long ssrc() { return buf.getInt(offset + 8) & 0xffffffffL; }

  public long csrc(int index) { return buf.getInt(offset + FIXED_LENGTH + 4 * index) & 0xffffffffL; }

  /** Absolute index of the payload in the buffer (after {@link #validate()}). */
  public int payloadOffset() { return payloadOffset; }

  public int payloadLength() { return payloadLength; }

  public int offset() { return offset; }

  public int length() { return length; }

  // ---- writing the fixed header, for packets this node originates or rewrites ----

  /** Writes a 12-byte header (V=2, no padding, extension or CSRC) at {@code at}. */
  public static void writeFixed(ByteBuffer out, int at, boolean marker, int payloadType, int sequence, long timestamp, long ssrc) {
    out.put(at, (byte) 0x80);
    out.put(at + 1, (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f)));
    out.putShort(at + 2, (short) sequence);
    out.putInt(at + 4, (int) timestamp);
    out.putInt(at + 8, (int) ssrc);
  }
}
