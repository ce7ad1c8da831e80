package io.switchboard.media.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.media.session.EventPayload.SessionOrphaned;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {

  private static List<Long> seqs(EventLog.Replay replay) {
    return replay.events().stream().map(SessionEvent::seq).toList();
  }

  private static void append(EventLog log, int n) {
    for (int i = 0; i < n; i++) log.append("s", new SessionOrphaned(i));
  }

  @Test
  void numbersEventsFromOneAndReplaysThoseAfterTheGivenSeq() {
    EventLog log = new EventLog(8);
    append(log, 5);
    assertEquals(5, log.lastSeq());
    assertEquals(List.of(3L, 4L, 5L), seqs(log.after(2)));
    assertEquals(0, log.after(2).missed());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(log.after(0)));
  }

  @Test
  void replayAtOrBeyondTheLastSeqIsEmpty() {
    EventLog log = new EventLog(8);
    append(log, 3);
    assertEquals(List.of(), seqs(log.after(3)));
    assertEquals(List.of(), seqs(log.after(99)));
    assertEquals(0, log.after(99).missed());
  }

  @Test
  void keepsOnlyTheNewestCapacityEventsAndCountsTheMissedOnes() {
    EventLog log = new EventLog(4);
    append(log, 10);
    EventLog.Replay replay = log.after(2);
    assertEquals(List.of(7L, 8L, 9L, 10L), seqs(replay));
    assertEquals(4, replay.missed(), "events 3..6 are gone");
    assertEquals(0, log.after(6).missed());
  }

  @Test
  void wrapsAroundRepeatedlyInOrder() {
    EventLog log = new EventLog(5);
    append(log, 23);
    assertEquals(List.of(19L, 20L, 21L, 22L, 23L), seqs(log.after(0)));
    assertEquals(18, log.after(0).missed());
  }

  @Test
  void zeroCapacityKeepsNothingButStillNumbers() {
    EventLog log = new EventLog(0);
    append(log, 3);
    assertEquals(3, log.lastSeq());
    assertEquals(List.of(), seqs(log.after(1)));
    assertEquals(2, log.after(1).missed());
  }
}
