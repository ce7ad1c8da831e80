package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OutboundStreamTest {

  static final long MS = 1_000_000L;
  final Object peerA = new Object();
  final Object peerB = new Object();
  final OutboundStream stream = new OutboundStream(8000, 0);

  int seq;
  long ts;

  void send(Object source, long ssrc, int inSeq, long inTs, boolean event, long now) {
    assertTrue(stream.map(source, ssrc, inSeq, inTs, event, now));
    seq = stream.seq();
    ts = stream.timestamp();
  }

  @Test
  void aSwitchOfSourceContinuesTheSequenceAndTheClock() {
    send(peerA, 111, 5000, 90_000, false, 0);
    int firstSeq = seq;
    long firstTs = ts;
    for (int i = 1; i < 50; i++) send(peerA, 111, 5000 + i, 90_000 + 160L * i, false, 20 * MS * i);
    assertEquals((firstSeq + 49) & 0xffff, seq, "pass-through keeps the source's spacing");
    assertEquals((firstTs + 160 * 49) & 0xffffffffL, ts);

    // another peer with its own numbering takes over 20 ms later
    send(peerB, 222, 7, 123_456_789, false, 20 * MS * 50);
    assertEquals((firstSeq + 50) & 0xffff, seq, "the next number, not the new source's");
    assertEquals((firstTs + 160 * 50) & 0xffffffffL, ts, "media time goes on from the wall clock");
    send(peerB, 222, 8, 123_456_789 + 160, false, 20 * MS * 51);
    assertEquals((firstSeq + 51) & 0xffff, seq);
    assertEquals((firstTs + 160 * 51) & 0xffffffffL, ts);
  }

  @Test
  void lossAndReorderingOfOneSourcePassThroughUnchanged() {
    send(peerA, 1, 100, 0, false, 0);
    int base = seq;
    send(peerA, 1, 103, 480, false, 60 * MS);
    assertEquals((base + 3) & 0xffff, seq, "a gap stays a gap for the receiver to conceal");
    send(peerA, 1, 102, 320, false, 61 * MS);
    assertEquals((base + 2) & 0xffff, seq, "a late packet keeps its place");
  }

  @Test
  void interleavedDigitsAndAudioShareOneClockAndNeverReuseANumber() {
    Object digit = new Object();
    send(peerA, 1, 10, 1_000, false, 0);
    int base = seq;
    long audioTs = ts;
    send(digit, 0, 0, 0, true, 5 * MS);
    long digitTs = ts;
    assertEquals((base + 1) & 0xffff, seq);
    assertEquals(audioTs + 40, digitTs, "a digit starts at the media time of its first packet");
    send(peerA, 1, 11, 1_160, false, 20 * MS);
    assertEquals((base + 2) & 0xffff, seq, "audio continues after the digit's packet");
    assertEquals(audioTs + 160, ts, "and on its own clock");
    send(digit, 0, 1, 0, true, 25 * MS);
    assertEquals((base + 3) & 0xffff, seq);
    assertEquals(digitTs, ts, "every packet of the digit keeps the digit's timestamp");
    send(peerA, 1, 12, 1_320, false, 40 * MS);
    assertEquals((base + 4) & 0xffff, seq);
    assertEquals(audioTs + 320, ts);
  }

  @Test
  void aLatePacketFromBeforeAnInterruptionIsNotSentTwice() {
    Object digit = new Object();
    send(peerA, 1, 10, 0, false, 0);
    send(peerA, 1, 12, 320, false, 40 * MS);
    send(digit, 0, 0, 0, true, 45 * MS);
    assertFalse(stream.map(peerA, 1, 11, 160, false, 46 * MS), "its number went to the digit");
    send(peerA, 1, 14, 640, false, 60 * MS); // A is back: 14 follows the digit
    int afterDigit = seq;
    assertFalse(stream.map(peerA, 1, 13, 480, false, 61 * MS), "13 is from before A came back: not numbered twice");
    send(peerA, 1, 15, 800, false, 80 * MS);
    assertEquals((afterDigit + 1) & 0xffff, seq);
  }

  @Test
  void aSourceBackAfterALongPauseIsResynchronisedToTheClock() {
    send(peerA, 1, 10, 0, false, 0);
    long t0 = ts;
    send(peerB, 2, 500, 77, false, 20 * MS);
    send(peerA, 1, 11, 160, false, 3_000 * MS); // A forgotten: 3 s later, its timestamp moved only 20 ms
    assertEquals((t0 + 8 * 3_000) & 0xffffffffL, ts);
  }

  @Test
  void aNewSsrcFromTheSamePeerIsANewSource() {
    send(peerA, 1, 10, 0, false, 0);
    int base = seq;
    send(peerA, 2, 60_000, 999_999, false, 20 * MS); // the phone restarted its stream
    assertEquals((base + 1) & 0xffff, seq);
  }
}
