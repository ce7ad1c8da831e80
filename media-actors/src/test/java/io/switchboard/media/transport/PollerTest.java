package io.switchboard.media.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both ways the media thread waits for its sockets, on real sockets on loopback. */
class PollerTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static void sendTo(UdpSocket s) throws Exception {
    try (DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
      peer.send(new DatagramPacket(new byte[4], 4, LOOPBACK, ((InetSocketAddress) s.channel.getLocalAddress()).getPort()));
    }
  }

  private static Poller poller(boolean nativeIo) throws Exception {
    if (nativeIo) Assumptions.assumeTrue(NativeUdp.available(), "this build has no native library");
    return Poller.open(nativeIo);
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void onlyTheSocketsWithDatagramsAreReportedUntilTheyAreRead(boolean nativeIo) throws Exception {
    try (Poller poller = poller(nativeIo)) {
      List<UdpSocket> sockets = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        UdpSocket s = UdpSocketTest.open(nativeIo);
        poller.register(s);
        sockets.add(s);
      }
      sendTo(sockets.get(1));
      sendTo(sockets.get(3));
      Set<UdpSocket> ready = new HashSet<>();
      Set<Long> times = new HashSet<>();
      long before = System.nanoTime();
      poller.poll(1000, (s, now) -> {
        ready.add(s);
        times.add(now);
      });
      long after = System.nanoTime();
      assertEquals(Set.of(sockets.get(1), sockets.get(3)), ready);
      assertEquals(1, times.size(), "one wake-up, one time for all its sockets: " + times);
      long woke = times.iterator().next();
      assertTrue(woke - before >= 0 && after - woke >= 0, "the time is taken inside the poll");

      // level-triggered: unread datagrams are reported again; read ones are not
      sockets.get(1).receive(new ReceiveBatch());
      ready.clear();
      poller.poll(200, (s, now) -> ready.add(s));
      assertEquals(Set.of(sockets.get(3)), ready);
      for (UdpSocket s : sockets) s.close();
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void aRemovedSocketIsNotReportedAndItsPlaceServesTheNextOne(boolean nativeIo) throws Exception {
    try (Poller poller = poller(nativeIo)) {
      UdpSocket gone = UdpSocketTest.open(nativeIo), kept = UdpSocketTest.open(nativeIo);
      poller.register(gone);
      poller.register(kept);
      sendTo(gone);
      poller.deregister(gone);
      gone.close();
      UdpSocket next = UdpSocketTest.open(nativeIo);
      poller.register(next);
      sendTo(next);
      Set<UdpSocket> ready = new HashSet<>();
      poller.poll(1000, (s, now) -> ready.add(s));
      assertEquals(Set.of(next), ready);
      poller.deregister(gone); // twice: nothing happens
      kept.close();
      next.close();
    }
  }

  @ParameterizedTest(name = "native {0}")
  @ValueSource(booleans = {true, false})
  void aWakeUpFromAnotherThreadEndsAPollAndIsNotLost(boolean nativeIo) throws Exception {
    try (Poller poller = poller(nativeIo)) {
      UdpSocket idle = UdpSocketTest.open(nativeIo);
      poller.register(idle);
      long start = System.nanoTime();
      Thread waker = new Thread(() -> {
        sleep(100);
        poller.wakeup();
        poller.wakeup(); // coalesced with the first
      });
      waker.start();
      poller.poll(10_000, (s, now) -> { throw new AssertionError("no socket is readable"); });
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 90 && ms < 5000, "woken after " + ms + " ms");
      waker.join();

      // after the wake-up was consumed, a poll waits again: and a later wake-up still reaches it
      start = System.nanoTime();
      poller.poll(150, (s, now) -> { });
      assertTrue((System.nanoTime() - start) / 1_000_000 >= 140, "the wake-up was consumed");
      poller.wakeup();
      start = System.nanoTime();
      poller.poll(10_000, (s, now) -> { });
      assertTrue((System.nanoTime() - start) / 1_000_000 < 5000, "a wake-up before the poll ends it at once");
      idle.close();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
