package io.switchboard.media.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both ways the media thread reads and writes a socket, on real sockets on loopback. */
class UdpSocketTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void theNativeLibraryLoadsWhereTheBuildMadeIt() {
    boolean built = NativeUdp.class.getResource("/META-INF/native/libswitchboard-udp-linux-"
        + System.getProperty("os.arch").toLowerCase(Locale.ROOT).replace("amd64", "x86_64") + ".so") != null;
    if (built) assertTrue(NativeUdp.available(), NativeUdp.unavailableReason());
    else assertNotNull(NativeUdp.unavailableReason());
  }

  /** A bound IPv4 socket, native when asked for and the library is loaded. */
  static UdpSocket open(boolean nativeIo) throws Exception {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    ch.bind(new InetSocketAddress("127.0.0.1", 0));
    ch.configureBlocking(false);
    UdpSocket s = new UdpSocket(ch, nativeIo && NativeUdp.available());
    assertEquals(nativeIo && NativeUdp.available(), s.isNative());
    return s;
  }

  private static int port(UdpSocket s) throws Exception {
    return ((InetSocketAddress) s.channel.getLocalAddress()).getPort();
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void oneReadTakesEveryWaitingDatagramWithItsSource(boolean nativeIo) throws Exception {
    ReceiveBatch batch = new ReceiveBatch();
    try (UdpSocket socket = open(nativeIo); DatagramSocket a = new DatagramSocket(0, LOOPBACK);
         DatagramSocket b = new DatagramSocket(0, LOOPBACK)) {
      assertEquals(0, socket.receive(batch), "nothing waiting: nothing read, no wait");
      for (int i = 0; i < 5; i++) {
        DatagramSocket from = i % 2 == 0 ? a : b;
        byte[] body = new byte[20 + i];
        body[0] = (byte) i;
        from.send(new DatagramPacket(body, body.length, LOOPBACK, port(socket)));
      }
      Thread.sleep(50); // loopback delivers synchronously; this only makes sure
      assertEquals(5, socket.receive(batch));
      for (int i = 0; i < 5; i++) {
        ByteBuffer p = batch.packets[i];
        assertEquals(0, p.position());
        assertEquals(20 + i, p.limit());
        assertEquals(i, p.get(0));
        DatagramSocket from = i % 2 == 0 ? a : b;
        assertEquals(new InetSocketAddress(LOOPBACK, from.getLocalPort()), batch.sources[i]);
      }
      assertEquals(0, socket.receive(batch));

      // a peer that keeps its address keeps its address object: no allocation per packet
      a.send(new DatagramPacket(new byte[1], 1, LOOPBACK, port(socket)));
      a.send(new DatagramPacket(new byte[1], 1, LOOPBACK, port(socket)));
      Thread.sleep(50);
      assertEquals(2, socket.receive(batch));
      if (nativeIo) assertSame(batch.sources[0], batch.sources[1]);
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void aBurstIsBoundedAndTheRestWaitsForTheNextRead(boolean nativeIo) throws Exception {
    try (UdpSocket socket = open(nativeIo); DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
      for (int i = 0; i < ReceiveBatch.SIZE + 3; i++) peer.send(new DatagramPacket(new byte[] {(byte) i}, 1, LOOPBACK, port(socket)));
      Thread.sleep(50);
      ReceiveBatch batch = new ReceiveBatch();
      assertEquals(ReceiveBatch.SIZE, socket.receive(batch));
      assertEquals(3, socket.receive(batch));
      assertEquals(ReceiveBatch.SIZE, batch.packets[0].get(0), "in order: the 33rd datagram comes first in the second read");
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void aDatagramLongerThanASlotIsCutNotSpilledIntoTheNext(boolean nativeIo) throws Exception {
    try (UdpSocket socket = open(nativeIo); DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
      byte[] big = new byte[ReceiveBatch.SLOT + 500];
      java.util.Arrays.fill(big, (byte) 7);
      peer.send(new DatagramPacket(big, big.length, LOOPBACK, port(socket)));
      peer.send(new DatagramPacket(new byte[] {9}, 1, LOOPBACK, port(socket)));
      Thread.sleep(50);
      ReceiveBatch batch = new ReceiveBatch();
      assertEquals(2, socket.receive(batch));
      assertEquals(ReceiveBatch.SLOT, batch.packets[0].limit());
      assertEquals(1, batch.packets[1].limit());
      assertEquals(9, batch.packets[1].get(0));
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void sendWritesThePositionToLimitBytesToTheAddress(boolean nativeIo) throws Exception {
    try (UdpSocket socket = open(nativeIo); DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
      peer.setSoTimeout(2000);
      ByteBuffer out = ByteBuffer.allocateDirect(64);
      for (int i = 0; i < 64; i++) out.put(i, (byte) i);
      out.limit(30).position(10);
      InetSocketAddress to = new InetSocketAddress(LOOPBACK, peer.getLocalPort());
      assertEquals(20, socket.send(out, to));
      DatagramPacket got = new DatagramPacket(new byte[100], 100);
      peer.receive(got);
      assertEquals(port(socket), got.getPort());
      byte[] expected = new byte[20];
      for (int i = 0; i < 20; i++) expected[i] = (byte) (10 + i);
      assertArrayEquals(expected, java.util.Arrays.copyOf(got.getData(), got.getLength()));

      // the cached destination follows a new address object
      try (DatagramSocket other = new DatagramSocket(0, LOOPBACK)) {
        other.setSoTimeout(2000);
        out.limit(12).position(0);
        assertEquals(12, socket.send(out, new InetSocketAddress(LOOPBACK, other.getLocalPort())));
        DatagramPacket second = new DatagramPacket(new byte[100], 100);
        other.receive(second);
        assertEquals(12, second.getLength());
      }
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void aSendTheKernelRefusesIsAFailureNotAnException(boolean nativeIo) throws Exception {
    UdpSocket socket = open(nativeIo);
    ByteBuffer out = ByteBuffer.allocateDirect(16);
    InetSocketAddress v6 = new InetSocketAddress(Inet6Address.getByName("::1"), 9);
    assertEquals(-1, socket.send(out, v6), "an IPv6 peer on an IPv4 socket");
    socket.close();
    out.clear();
    assertEquals(-1, socket.send(out, new InetSocketAddress(LOOPBACK, 9)), "a closed socket (its descriptor number may be another socket's now)");
    assertEquals(0, socket.receive(new ReceiveBatch()));
  }

  @Test
  void theNativeCallsCheckTheirArguments() throws Exception {
    if (!NativeUdp.available()) return; // nothing native to check on this build
    long buffer = NativeUdp.address(ByteBuffer.allocateDirect(100));
    assertEquals(0, NativeUdp.address(ByteBuffer.allocate(100)), "a heap buffer has no address");
    assertEquals(-22, NativeUdp.receive(0, 0, buffer), "no headers: EINVAL");
    long headers = NativeUdp.address(ByteBuffer.allocateDirect(NativeUdp.receiveHeaderBytes()));
    assertEquals(-22, NativeUdp.receive(0, headers, buffer), "headers never prepared: EINVAL");
    assertEquals(-22, NativeUdp.receivePrepare(headers, buffer, 2048, 65), "more headers than the library reads at once: EINVAL");
    assertEquals(-22, NativeUdp.receivePrepare(headers, 0, 2048, 1), "no data memory: EINVAL");
    assertEquals(0, NativeUdp.receivePrepare(headers, buffer, 100, 1));
    assertEquals(-9, NativeUdp.receive(Integer.MAX_VALUE, headers, buffer), "no such descriptor: EBADF");
    assertEquals(-22, NativeUdp.send(0, 0, 20, 0x7f000001, 9), "no memory: EINVAL");
    assertEquals(-22, NativeUdp.send(0, buffer, 20, 0x7f000001, 70000), "no such port: EINVAL");
    assertEquals(-9, NativeUdp.send(Integer.MAX_VALUE, buffer, 20, 0x7f000001, 9), "no such descriptor: EBADF");
    assertEquals(-9, NativeUdp.epollAdd(Integer.MAX_VALUE, 0, 0), "no such epoll set: EBADF");
  }

  @Test
  void aHeapBufferIsRefusedNotSentFromGarbage() throws Exception {
    try (UdpSocket socket = open(true)) {
      if (socket.isNative()) assertEquals(-1, socket.send(ByteBuffer.allocate(16), new InetSocketAddress(LOOPBACK, 9)));
    }
  }

  @Test
  void aThreadCanLowerItsOwnNiceAndOnlyItsOwn() throws Exception {
    if (!NativeUdp.available()) return; // nothing native to check on this build
    long[] seen = new long[3];
    Thread t = new Thread(() -> {
      seen[0] = NativeUdp.setThreadScheduling(7, 500_000); // raising a nice value needs no privilege
      seen[1] = threadNice();
      seen[2] = threadSlice();
    });
    t.start();
    t.join();
    if (seen[2] >= 0) {
      assertEquals(0, seen[0]);
      assertEquals(500_000, seen[2], "the thread's own time slice (a kernel that shows it: 6.12 and later)");
    } else {
      assertEquals(-95, seen[0], "a kernel without per-thread slices: EOPNOTSUPP, the nice value set all the same");
    }
    assertEquals(7, seen[1], "the thread's own nice value");
    assertEquals(0, threadNice(), "the calling thread's is unchanged");
    assertEquals(-22, NativeUdp.setThreadScheduling(20, 0), "no such nice value: EINVAL");
    assertEquals(-22, NativeUdp.setThreadScheduling(0, -1), "no such slice: EINVAL");
  }

  /** se.slice of /proc/thread-self/sched in nanoseconds; -1 when the kernel does not show it. */
  static long threadSlice() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/sched"))) {
        if (line.startsWith("se.slice")) return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
      return -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /** Field 19 of /proc/thread-self/stat, after the command name in parentheses. */
  private static int threadNice() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
      return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
