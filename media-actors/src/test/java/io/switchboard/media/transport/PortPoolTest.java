package io.switchboard.media.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortPoolTest {

  @Test
  void handsOutEvenPortsWithTheirOddPartnerInsideTheRange() {
    PortPool pool = new PortPool(30001, 30010);
    Set<Integer> seen = new HashSet<>();
    for (int p; (p = pool.acquire()) != -1; ) {
      assertEquals(0, p % 2);
      assertEquals(true, p >= 30002 && p + 1 <= 30010, "pair " + p);
      seen.add(p);
    }
    assertEquals(Set.of(30002, 30004, 30006, 30008), seen);
    assertEquals(4, pool.capacity());
  }

  @Test
  void exhaustionIsMinusOneAndReleasedPortsComeBackLast() {
    PortPool pool = new PortPool(30000, 30005);
    int a = pool.acquire();
    int b = pool.acquire();
    int c = pool.acquire();
    assertEquals(-1, pool.acquire());
    pool.release(b);
    pool.release(b); // twice: ignored
    pool.release(31000); // never taken: ignored
    assertEquals(1, pool.available());
    assertEquals(b, pool.acquire());
    pool.release(a);
    pool.release(c);
    assertEquals(a, pool.acquire(), "least recently released first");
  }

  @Test
  void refusesImpossibleRanges() {
    assertThrows(IllegalArgumentException.class, () -> new PortPool(80, 2000));
    assertThrows(IllegalArgumentException.class, () -> new PortPool(30000, 30000));
    assertThrows(IllegalArgumentException.class, () -> new PortPool(30001, 30002));
  }
}
