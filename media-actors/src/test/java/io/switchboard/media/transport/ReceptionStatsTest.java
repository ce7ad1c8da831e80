package io.switchboard.media.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceptionStatsTest {

  static final long MS = 1_000_000L;

  @Test
  void perfectlyPacedStreamHasNoLossAndNoJitter() {
    ReceptionStats s = new ReceptionStats(8000);
    for (int i = 0; i < 50; i++) s.packet(100 + i, 160L * i, 5_000 * MS + 20 * MS * i);
    assertEquals(0, s.lost());
    assertEquals(0.0, s.jitterMs(), 0.01);
  }

  @Test
  void gapsCountAsLostAcrossTheSequenceWrap() {
    ReceptionStats s = new ReceptionStats(8000);
    int seq = 65530;
    for (int i = 0; i < 12; i++) {
      if (i == 3 || i == 8) continue; // two lost, one of them after the wrap
      s.packet((seq + i) & 0xffff, 160L * i, 20 * MS * i);
    }
    assertEquals(2, s.lost());
  }

  @Test
  void aLatePacketFromBeforeTheWrapNeitherWrapsAgainNorLowersTheHighest() {
    ReceptionStats s = new ReceptionStats(8000);
    int[] order = {65533, 65534, 0, 65535, 1, 2, 1}; // 65535 arrives after 0; the second 1 is a duplicate
    for (int i = 0; i < order.length; i++) s.packet(order[i], 160L * i, 20 * MS * i);
    assertEquals(65536 + 2, s.extendedHighestSeq());
    assertEquals(-1, s.cumulativeLost(), "six numbers expected, seven packets came: one duplicate");
    assertEquals(0, s.lost());
  }

  @Test
  void latePacketsRaiseJitterTowardsTheirDeviation() {
    ReceptionStats s = new ReceptionStats(8000);
    for (int i = 0; i < 200; i++) {
      long wobble = (i % 2 == 0) ? 0 : 10 * MS; // every other packet 10 ms late
      s.packet(i, 160L * i, 20 * MS * i + wobble);
    }
    assertTrue(s.jitterMs() > 8 && s.jitterMs() < 11, "jitter " + s.jitterMs());
    assertEquals(0, s.lost());
  }
}
