package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DtmfDetectorTest {

  @Test
  void aDigitIsReportedOnceDespiteThreeEndPackets() {
    List<String> digits = new ArrayList<>();
    DtmfDetector detector = new DtmfDetector(8000);
    DtmfDetector.Sink sink = (d, ms) -> digits.add(d + "/" + ms);
    long ts = 16000;
    for (int duration = 160; duration <= 800; duration += 160) detector.accept(ts, 5, false, duration, sink);
    for (int i = 0; i < 3; i++) detector.accept(ts, 5, true, 1280, sink);
    detector.accept(ts + 2000, 11, true, 800, sink);
    detector.accept(ts, 5, true, 1280, sink); // a late redundant end of the first digit
    assertEquals(List.of("5/160", "#/100"), digits);
  }

  @Test
  void telephoneEventPayloadReadsAndWrites() {
    ByteBuffer buf = ByteBuffer.allocate(10);
    TelephoneEvent.write(buf, 3, TelephoneEvent.eventOf('#'), true, 10, 1280);
    assertEquals(11, TelephoneEvent.event(buf, 3));
    assertEquals(true, TelephoneEvent.end(buf, 3));
    assertEquals(10, TelephoneEvent.volume(buf, 3));
    assertEquals(1280, TelephoneEvent.duration(buf, 3));
    assertEquals('D', TelephoneEvent.digit(15));
    assertEquals(0, TelephoneEvent.digit(16));
    assertEquals(-1, TelephoneEvent.eventOf('x'));
  }
}
