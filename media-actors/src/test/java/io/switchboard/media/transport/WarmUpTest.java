package io.switchboard.media.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * The media thread's warm-up on a reactor of its own: it relays what it was asked to through real
 * sockets, then leaves nothing behind — no socket, no port of the pool, nothing in the totals.
 */
class WarmUpTest {

  private static ActorTestKit kit(String config) {
    return ActorTestKit.create(ConfigFactory.parseString(config + """

        switchboard.media.port-min = 32200
        switchboard.media.port-max = 32203
        """).withFallback(ActorTestKit.applicationTestConfig()));
  }

  @Test
  void theWarmUpRelaysThroughItsLoopsThenLeavesNoTrace() throws Exception {
    Set<String> before = udpSocketsOfThisProcess();
    ActorTestKit kit = kit("switchboard.media.warm-up-packets = 6000");
    try {
      MediaReactor reactor = MediaReactor.get(kit.system());
      long relayed = reactor.warmedUp().toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertTrue(relayed >= 3 * 6000, "each of the three loops relayed its share: " + relayed);
      Set<String> opened = udpSocketsOfThisProcess();
      opened.removeAll(before); // only new ones count: an earlier test's sockets may still be closing
      assertEquals(Set.of(), opened, "the warm-up's sockets are closed");

      // the pool is whole (both pairs free) and the totals know nothing of the warm-up
      MediaReactor.PortPair a = reactor.allocate();
      MediaReactor.PortPair b = reactor.allocate();
      assertEquals(Set.of(32200, 32202), Set.of(a.rtpPort(), b.rtpPort()));
      reactor.release(a);
      reactor.release(b);
      Thread.sleep(1200); // the totals are published about once a second
      MediaTotals totals = reactor.totals();
      assertEquals(0, totals.endpoints());
      assertEquals(0, totals.packetsIn());
      assertEquals(0, totals.packetsOut());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void aPortActivatedDuringTheWarmUpRelaysAsAny() throws Exception {
    ActorTestKit kit = kit("switchboard.media.warm-up-packets = 300000");
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      MediaReactor reactor = MediaReactor.get(kit.system());
      // an echo endpoint (its own route) made while the loops run: the warm-up must not take its packets
      MediaReactor.PortPair pair = reactor.allocate();
      var offer = "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          + "m=audio " + peer.getLocalPort() + " RTP/AVP 0\r\n";
      var negotiated = io.switchboard.media.sdp.OfferAnswer.answer(offer, io.switchboard.media.sdp.Direction.SENDRECV,
          new io.switchboard.media.sdp.OfferAnswer.Local("127.0.0.1", pair.rtpPort(), pair.rtpPort() + 1, 1)).negotiated();
      MediaPort port = reactor.activate("echo", pair, negotiated, WarmUp.SILENT);
      port.setRoute(new MediaPort.Route(new MediaPort[] {port}));
      assertTrue(!reactor.warmedUp().toCompletableFuture().isDone(), "still warming up");
      byte[] rtp = new byte[12 + 160];
      rtp[0] = (byte) 0x80;
      peer.send(new DatagramPacket(rtp, rtp.length, new InetSocketAddress("127.0.0.1", pair.rtpPort())));
      peer.setSoTimeout(3000);
      DatagramPacket back = new DatagramPacket(new byte[2048], 2048);
      peer.receive(back);
      assertEquals(pair.rtpPort(), back.getPort());
      assertEquals(172, back.getLength());
      reactor.close(port);
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void withoutAWarmUpTheMediaThreadIsReadyAtOnce() throws Exception {
    ActorTestKit kit = kit("switchboard.media.warm-up-packets = 0");
    try {
      assertEquals(0L, MediaReactor.get(kit.system()).warmedUp().toCompletableFuture().get(5, TimeUnit.SECONDS));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void aWarmUpOutOfRangeIsRefused() {
    for (String bad : List.of("-1", "1000001")) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> MediaSettings.fromConfig(
          ConfigFactory.parseString("switchboard.media.warm-up-packets = " + bad).withFallback(ConfigFactory.load())));
      assertEquals("switchboard.media.warm-up-packets must be between 0 (no warm-up) and 1000000, not " + bad, e.getMessage());
    }
  }

  /** The inodes of this process's UDP sockets: /proc/self/fd links matched against /proc/net/udp. */
  private static Set<String> udpSocketsOfThisProcess() throws IOException {
    Set<String> udp = new HashSet<>();
    for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) continue;
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        udp.add(f[9]);
      }
    }
    Set<String> mine = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            String inode = target.substring(8, target.length() - 1);
            if (udp.contains(inode)) mine.add(inode);
          }
        } catch (IOException gone) {
          // the descriptor closed while listed
        }
      }
    }
    return mine;
  }
}
