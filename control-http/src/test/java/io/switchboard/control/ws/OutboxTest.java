package io.switchboard.control.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OutboxTest {

  @Test
  void repliesGoFirstThenCriticalThenNormalInArrivalOrder() {
    Outbox box = new Outbox(4, 4);
    box.offerEvent("n1", false);
    box.offerEvent("c1", true);
    box.offerReply("r1");
    box.offerEvent("n2", false);
    box.offerEvent("c2", true);
    assertEquals("r1", box.poll());
    assertEquals("c1", box.poll());
    assertEquals("c2", box.poll());
    assertEquals("n1", box.poll());
    assertEquals("n2", box.poll());
    assertNull(box.poll());
  }

  @Test
  void aFullNormalLaneDropsAndCountsThenReportsTheCountOnce() {
    Outbox box = new Outbox(4, 2);
    assertTrue(box.offerEvent("n1", false));
    assertTrue(box.offerEvent("n2", false));
    assertFalse(box.offerEvent("n3", false));
    assertFalse(box.offerEvent("n4", false));
    assertTrue(box.offerEvent("c1", true), "critical events have their own lane");
    assertEquals("c1", box.poll());
    assertEquals("{\"event\":\"events.dropped\",\"data\":{\"count\":2}}", box.poll());
    assertEquals("n1", box.poll());
    assertEquals("n2", box.poll());
    assertNull(box.poll(), "the drop notice is sent once");
  }

  @Test
  void criticalLaneIsBoundedToo() {
    Outbox box = new Outbox(1, 1);
    assertTrue(box.offerEvent("c1", true));
    assertFalse(box.offerEvent("c2", true));
    assertEquals("c1", box.poll());
    assertTrue(box.poll().contains("\"count\":1"));
  }
}
