package io.switchboard.media.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} events of a session, for {@code session.attach} with {@code last_seq}.
 * A ring buffer that grows on demand, so an idle session with one or two events costs a few bytes.
 * Owned by one {@link CallSession} actor; not thread-safe.
 */
final class EventLog {

  /** What a reconnecting controller gets: the events after its last_seq, and how many it missed for good. */
  record Replay(List<SessionEvent> events, long missed) {}

  private final int capacity;
  private SessionEvent[] ring = new SessionEvent[0];
  private int start;
  private int size;
  private long lastSeq;

  EventLog(int capacity) {
    this.capacity = capacity;
  }

  SessionEvent append(String sessionId, EventPayload payload) {
    SessionEvent event = new SessionEvent(sessionId, ++lastSeq, payload);
    if (capacity == 0) return event;
    if (size == ring.length && ring.length < capacity) grow();
    if (size < ring.length) {
      ring[(start + size) % ring.length] = event;
      size++;
    } else {
      ring[start] = event;
      start = (start + 1) % ring.length;
    }
    return event;
  }

  long lastSeq() {
    return lastSeq;
  }

  /** Events with seq greater than {@code afterSeq}; {@code afterSeq} beyond the last seq replays nothing. */
  Replay after(long afterSeq) {
    long firstKept = lastSeq - size + 1;
    long from = Math.max(afterSeq + 1, firstKept);
    long missed = Math.max(0, firstKept - (afterSeq + 1));
    List<SessionEvent> out = new ArrayList<>();
    for (long seq = from; seq <= lastSeq; seq++) {
      out.add(ring[(int) ((start + (seq - firstKept)) % ring.length)]);
    }
    return new Replay(out, Math.min(missed, lastSeq));
  }

  private void grow() {
    int newLength = Math.min(capacity, Math.max(4, ring.length * 2));
    SessionEvent[] bigger = new SessionEvent[newLength];
    for (int i = 0; i < size; i++) bigger[i] = ring[(start + i) % ring.length];
    ring = bigger;
    start = 0;
  }
}
