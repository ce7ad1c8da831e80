package io.switchboard.media.recording;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Writes the recorded RTP and RTCP as a classic libpcap file (microsecond timestamps, Ethernet link
 * type) that tshark and Wireshark open directly: each packet gets synthetic Ethernet, IPv4 (or IPv6) and
 * UDP headers with the real addresses and ports of the endpoint and its peer, and the wall-clock time
 * at which the media thread saw it.
 */
final class PcapWriter implements RecordingWriter {

  private static final int LINKTYPE_ETHERNET = 1;
  private static final int FILE_HEADER = 24;
  private static final int RECORD_HEADER = 16;
  private static final byte[] MAC_LOCAL = {0x02, 0, 0, 0, 0, 0x01};
  private static final byte[] MAC_PEER = {0x02, 0, 0, 0, 0, 0x02};

  private final Recording recording;
  private final FileChannel file;
  private final ByteBuffer out = ByteBuffer.allocate(1 << 17).order(ByteOrder.LITTLE_ENDIAN);
  private int ipId;
  /** Bytes of the file written by completed flushes: the file header and whole packets only. */
  private long durable;

  PcapWriter(Recording recording, FileChannel file) throws IOException {
    this.recording = recording;
    this.file = file;
    out.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(LINKTYPE_ETHERNET);
  }

  @Override
  public void write(PacketRing.Record r) throws IOException {
    if ((r.flags & RecordingTap.PCM) != 0) return; // a local source's audio has no packets to show
    Recording.Leg leg = recording.legs.get(r.leg);
    boolean rtcp = (r.flags & RecordingTap.RTCP) != 0;
    InetSocketAddress local = rtcp ? leg.localRtcp() : leg.local();
    InetSocketAddress remote = (rtcp ? leg.remoteRtcp() : leg.remote()).get();
    if (local == null || remote == null) return;
    boolean inbound = (r.flags & RecordingTap.INBOUND) != 0;
    InetSocketAddress src = inbound ? remote : local;
    InetSocketAddress dst = inbound ? local : remote;
    boolean v4 = src.getAddress() instanceof Inet4Address && dst.getAddress() instanceof Inet4Address;
    int ipHeader = v4 ? 20 : 40;
    int frame = 14 + ipHeader + 8 + r.length;
    if (out.remaining() < 16 + frame) flush();

    long wallMicros = recording.startEpochMillis * 1000 + (r.nanos - recording.startNanos) / 1000;
    out.putInt((int) (wallMicros / 1_000_000)).putInt((int) (wallMicros % 1_000_000)).putInt(frame).putInt(frame);
    out.order(ByteOrder.BIG_ENDIAN);
    out.put(inbound ? MAC_LOCAL : MAC_PEER).put(inbound ? MAC_PEER : MAC_LOCAL).putShort((short) (v4 ? 0x0800 : 0x86dd));
    int udpLength = 8 + r.length;
    if (v4) {
      int ipStart = out.position();
      out.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) ipId++)
          .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
          .put(address(src.getAddress(), true)).put(address(dst.getAddress(), true));
      out.putShort(ipStart + 10, (short) ipv4Checksum(out, ipStart));
    } else {
      out.putInt(0x60000000).putShort((short) udpLength).put((byte) 17).put((byte) 64)
          .put(address(src.getAddress(), false)).put(address(dst.getAddress(), false));
    }
    int udpStart = out.position();
    out.putShort((short) src.getPort()).putShort((short) dst.getPort()).putShort((short) udpLength).putShort((short) 0);
    out.put(r.data, 0, r.length);
    if (!v4) out.putShort(udpStart + 6, (short) udpChecksumV6(out, udpStart, udpLength, src.getAddress(), dst.getAddress()));
    out.order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] address(InetAddress a, boolean v4) {
    byte[] raw = a.getAddress();
    if (v4 || raw.length == 16) return raw;
    byte[] mapped = new byte[16]; // an IPv4 peer of an IPv6 endpoint, as ::ffff:a.b.c.d
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }

  private static int ipv4Checksum(ByteBuffer b, int start) {
    long sum = 0;
    for (int i = 0; i < 20; i += 2) sum += b.getShort(start + i) & 0xffff;
    return fold(sum);
  }

  private static int udpChecksumV6(ByteBuffer b, int udpStart, int udpLength, InetAddress src, InetAddress dst) {
    long sum = 0;
    byte[] s = address(src, false);
    byte[] d = address(dst, false);
    for (int i = 0; i < 16; i += 2) sum += ((s[i] & 0xff) << 8 | (s[i + 1] & 0xff)) + ((d[i] & 0xff) << 8 | (d[i + 1] & 0xff));
    sum += udpLength + 17;
    for (int i = 0; i < udpLength; i += 2) {
      int hi = b.get(udpStart + i) & 0xff;
      int lo = i + 1 < udpLength ? b.get(udpStart + i + 1) & 0xff : 0;
      sum += hi << 8 | lo;
    }
    int c = fold(sum);
    return c == 0 ? 0xffff : c;
  }

  private static int fold(long sum) {
    while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
    return (int) (~sum & 0xffff);
  }

  private void flush() throws IOException {
    out.flip();
    while (out.hasRemaining()) file.write(out);
    durable += out.limit();
    out.clear();
  }

  @Override
  public long finish(long nowNanos) throws IOException {
    flush();
    file.force(false);
    file.close();
    return (nowNanos - recording.startNanos) / 1_000_000;
  }

  /**
   * Closes the file after a failure (typically a full disk), cut back to the last whole packet that
   * reached the disk, so tshark reads it to the end without "cut short in the middle of a packet".
   * The buffer that was being written still holds the packets, which tells where each one ends.
   */
  @Override
  public void abandon() {
    try {
      long onDisk = file.size() - durable; // of the buffer whose flush failed (0 when it failed elsewhere)
      out.order(ByteOrder.LITTLE_ENDIAN);
      int whole = durable == 0 ? FILE_HEADER : 0; // the first flush starts with the file header
      if (onDisk < whole) {
        file.truncate(0); // not even the file header got through: nothing readable to keep
        return;
      }
      while (whole + RECORD_HEADER <= onDisk) {
        int next = whole + RECORD_HEADER + out.getInt(whole + 8);
        if (next > onDisk) break;
        whole = next;
      }
      file.truncate(durable + whole);
    } catch (IOException | RuntimeException ignored) {
      // the disk refuses even this: the file stays as it is
    } finally {
      try {
        file.close();
      } catch (IOException ignored) {
        // the recording already failed; nothing more to do with the file
      }
    }
  }
}
