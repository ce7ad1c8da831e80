package io.switchboard.media.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * One bound UDP socket of an endpoint (its RTP or its RTCP port) as the media thread reads and writes
 * it: through {@link NativeUdp} on its descriptor when the library is loaded and the socket is IPv4,
 * else through the NIO channel. The channel stays the socket's owner either way: the selector watches
 * it and closing it closes the descriptor.
 */
final class UdpSocket implements AutoCloseable {

  final DatagramChannel channel;
  /** The descriptor for native calls; -1: this socket uses NIO. */
  private final int fd;
  /**
   * Set when the channel closes. The kernel hands a closed descriptor's number to the next socket
   * opened, so a native call on it afterwards would send from another endpoint's port; NIO checks this
   * itself, the native path here.
   */
  private volatile boolean closed;
  /** The endpoint whose packets arrive here, and whether as RTP (else RTCP); set when it starts. */
  MediaPort owner;
  boolean carriesRtp;
  /** This socket's index in its {@link EpollPoller}; -1 when it is in none. */
  int pollToken = -1;

  // The last sender and destination as Java addresses: peers rarely change, so both are made only when
  // they do, not per packet.
  private int senderIp;
  private int senderPort = -1;
  private InetSocketAddress sender;
  private InetSocketAddress destination;
  private int destinationIp;
  private int destinationPort;
  /** The last buffer sent from and its memory's address: on the relay path it is always the same one. */
  private ByteBuffer sentFrom;
  private long sentFromAddress;

  UdpSocket(DatagramChannel channel, boolean nativeIo) {
    this.channel = channel;
    this.fd = nativeIo ? NativeUdp.fd(channel) : -1;
  }

  boolean isNative() {
    return fd >= 0;
  }

  int fd() {
    return fd;
  }

  /**
   * Reads the datagrams waiting on this socket into {@code batch}, as many as it holds; returns how many.
   * A read error (none is expected on a bound UDP socket) ends the burst like an empty socket.
   */
  int receive(ReceiveBatch batch) {
    if (closed) return 0;
    if (fd >= 0) {
      int n = NativeUdp.receive(fd, batch.headersAddress, batch.metaAddress);
      for (int i = 0; i < n; i++) {
        int at = i * NativeUdp.META_BYTES;
        batch.packets[i].limit(batch.meta.getInt(at)).position(0);
        batch.sources[i] = sender(batch.meta.getInt(at + 4), batch.meta.getInt(at + 8));
      }
      return Math.max(n, 0);
    }
    int n = 0;
    while (n < ReceiveBatch.SIZE) {
      ByteBuffer b = batch.packets[n];
      b.clear();
      SocketAddress from;
      try {
        from = channel.receive(b);
      } catch (IOException e) {
        break;
      }
      if (from == null) break;
      b.flip();
      batch.sources[n++] = from;
    }
    return n;
  }

  /**
   * Sends {@code packet} (position to limit) to {@code to} without blocking; returns the bytes sent, or -1
   * when the kernel would not take it (send buffer full, unreachable, wrong address family).
   */
  int send(ByteBuffer packet, InetSocketAddress to) {
    if (closed) return -1;
    if (fd < 0) {
      try {
        int sent = channel.send(packet, to);
        return sent > 0 ? sent : -1;
      } catch (IOException | IllegalArgumentException e) { // the latter: an IPv6 peer on an IPv4 socket
        return -1;
      }
    }
    if (to != destination) {
      if (!(to.getAddress() instanceof Inet4Address v4)) return -1;
      destinationIp = ipv4(v4);
      destinationPort = to.getPort();
      destination = to;
    }
    if (packet != sentFrom) {
      if (!packet.isDirect()) return -1; // every buffer of the media thread is direct
      sentFromAddress = NativeUdp.address(packet);
      sentFrom = packet;
    }
    int sent = NativeUdp.send(fd, sentFromAddress + packet.position(), packet.remaining(), destinationIp, destinationPort);
    return sent >= 0 ? sent : -1;
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a datagram channel cannot fail in a way that matters here
    }
  }

  private InetSocketAddress sender(int ip, int port) {
    if (port != senderPort || ip != senderIp || sender == null) {
      senderIp = ip;
      senderPort = port;
      sender = port < 0 ? null : new InetSocketAddress(address(ip), port);
    }
    return sender;
  }

  private static int ipv4(Inet4Address a) {
    byte[] b = a.getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  private static InetAddress address(int ip) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip});
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible); // four bytes are always an address
    }
  }
}
