package io.switchboard.media.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketRingTest {

  static ByteBuffer packet(int length, int fill) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) fill);
    return ByteBuffer.allocateDirect(length).put(b).flip();
  }

  @Test
  void aFullRingDropsAndCountsInsteadOfWaiting() {
    PacketRing ring = new PacketRing(4096);
    int accepted = 0;
    for (int i = 0; i < 100; i++) if (ring.offer(1, 2, i, packet(172, i), 0, 172)) accepted++;
    assertEquals(4096 / (PacketRing.HEADER + 172), accepted, "as many as fit");
    assertEquals(100 - accepted, ring.dropped(), "the rest counted, none lost silently");

    PacketRing.Record r = new PacketRing.Record();
    for (int i = 0; i < accepted; i++) {
      assertTrue(ring.poll(r));
      assertEquals(172, r.length);
      assertEquals(1, r.flags);
      assertEquals(2, r.leg);
      assertEquals(i, r.nanos);
      assertEquals((byte) i, r.data[171], "in order, intact");
    }
    assertFalse(ring.poll(r));
    assertTrue(ring.offer(0, 0, 7, packet(172, 9), 0, 172), "room again once drained");
  }

  @Test
  void recordsWrapAroundTheEndIntact() {
    PacketRing ring = new PacketRing(4096);
    PacketRing.Record r = new PacketRing.Record();
    for (int i = 0; i < 1000; i++) {
      int length = 1 + (i * 37) % 1200;
      assertTrue(ring.offer(0, i & 0xff, -i, packet(length, i), 0, length));
      assertTrue(ring.poll(r));
      assertEquals(length, r.length);
      assertEquals(-i, r.nanos);
      byte[] expected = new byte[length];
      Arrays.fill(expected, (byte) i);
      assertArrayEquals(expected, Arrays.copyOf(r.data, length));
    }
    short[] pcm = {1, -2, 300, -32768, 32767};
    assertTrue(ring.offerPcm(8, 1, 5, pcm, pcm.length));
    assertTrue(ring.poll(r));
    for (int i = 0; i < pcm.length; i++) assertEquals(pcm[i], (short) ((r.data[2 * i] & 0xff) | r.data[2 * i + 1] << 8));
  }
}
