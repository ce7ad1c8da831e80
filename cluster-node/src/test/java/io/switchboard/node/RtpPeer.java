package io.switchboard.node;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A plain RTP peer on loopback, as a SIP phone's media stack would be: one UDP socket, packets by hand. */
final class RtpPeer implements AutoCloseable {

  final DatagramSocket socket;
  int sequence = 1000;
  long timestamp = 160_000;
  final long ssrc;

  RtpPeer(long ssrc) throws Exception {
    this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    this.ssrc = ssrc;
  }

  int port() {
    return socket.getLocalPort();
  }

  /** An SDP offer for this peer's socket. */
  String offer(String codecLine, String extraAttributes) {
    return "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + port() + " RTP/AVP " + codecLine + "\r\n" + extraAttributes;
  }

  static byte[] packet(boolean marker, int pt, int seq, long ts, long ssrc, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | pt)).putShort((short) seq).putInt((int) ts).putInt((int) ssrc).put(payload);
    return b.array();
  }

  void sendRtp(int port, int pt, byte[] payload) throws Exception {
    sendRaw(port, packet(false, pt, sequence++, timestamp, ssrc, payload));
    timestamp += payload.length;
  }

  void sendRaw(int port, byte[] bytes) throws Exception {
    socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
  }

  /** The next RTP datagram within {@code ms}, or null; RTCP is set aside, as a phone's stack would demultiplex it. */
  DatagramPacket receive(int ms) throws Exception {
    return next(ms, false);
  }

  /** The next RTCP datagram within {@code ms} (on this socket: rtcp-mux), or null; RTP is skipped. */
  DatagramPacket receiveRtcp(int ms) throws Exception {
    return next(ms, true);
  }

  private DatagramPacket next(int ms, boolean rtcp) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return null;
      socket.setSoTimeout((int) left);
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      int type = p.getLength() >= 2 ? p.getData()[1] & 0xff : 0;
      if ((type >= 192 && type <= 223) == rtcp) return p;
    }
  }

  static int pt(DatagramPacket p) {
    return p.getData()[1] & 0x7f;
  }

  static int seq(DatagramPacket p) {
    return ByteBuffer.wrap(p.getData()).getShort(2) & 0xffff;
  }

  static long timestamp(DatagramPacket p) {
    return ByteBuffer.wrap(p.getData()).getInt(4) & 0xffffffffL;
  }

  static long ssrc(DatagramPacket p) {
    return ByteBuffer.wrap(p.getData()).getInt(8) & 0xffffffffL;
  }

  static byte[] payload(DatagramPacket p) {
    return Arrays.copyOfRange(p.getData(), 12, p.getLength());
  }

  /** Drains what is queued, for tests that start a new phase. */
  void drain() throws Exception {
    while (receive(50) != null) {
      // discard
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
