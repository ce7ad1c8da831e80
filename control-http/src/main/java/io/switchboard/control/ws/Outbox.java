package io.switchboard.control.ws;

import java.util.ArrayDeque;

/**
 * The frames waiting for one slow or fast control client, in three lanes: replies (one per request, so
 * bounded by the request flow), critical events, and normal events. Normal events beyond
 * {@code normalCapacity} are dropped and counted, critical ones beyond {@code criticalCapacity} too; the
 * client learns the count from an {@code events.dropped} frame sent ahead of the next normal event.
 * Owned by one connection actor; not thread-safe.
 */
final class Outbox {

  private final ArrayDeque<String> replies = new ArrayDeque<>();
  private final ArrayDeque<String> critical = new ArrayDeque<>();
  private final ArrayDeque<String> normal = new ArrayDeque<>();
  private final int criticalCapacity;
  private final int normalCapacity;
  private long dropped;

  Outbox(int criticalCapacity, int normalCapacity) {
    this.criticalCapacity = criticalCapacity;
    this.normalCapacity = normalCapacity;
  }

  void offerReply(String frame) {
    replies.add(frame);
  }

  /** @return false when the event was dropped */
  boolean offerEvent(String frame, boolean isCritical) {
    ArrayDeque<String> lane = isCritical ? critical : normal;
    if (lane.size() >= (isCritical ? criticalCapacity : normalCapacity)) {
      dropped++;
      return false;
    }
    lane.add(frame);
    return true;
  }

  /** The next frame to write, or null when nothing waits. */
  String poll() {
    if (!replies.isEmpty()) return replies.poll();
    if (!critical.isEmpty()) return critical.poll();
    if (dropped > 0) {
      String notice = io.switchboard.control.api.Json.eventsDropped(dropped);
      dropped = 0;
      return notice;
    }
    return normal.poll();
  }
}
