package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpWriterTest {

  record Seen(String what, long[] values) {}

  static List<Seen> parse(ByteBuffer b, int length) {
    List<Seen> seen = new ArrayList<>();
    DropReason r = RtcpParser.parse(b, 0, length, new RtcpParser.Listener() {
      @Override
      public void senderReport(long ssrc, long ntpMiddle32, long rtpTimestamp, long packets, long octets) {
        seen.add(new Seen("SR", new long[] {ssrc, ntpMiddle32, rtpTimestamp, packets, octets}));
      }

      @Override
      public void reportBlock(long reporter, long source, int fraction, int cumulative, long highest, long jitter, long lsr, long dlsr) {
        seen.add(new Seen("RB", new long[] {reporter, source, fraction, cumulative, highest, jitter, lsr, dlsr}));
      }

      @Override
      public void bye(long[] ssrcs, String reason) {
        seen.add(new Seen("BYE", ssrcs));
      }
    });
    assertEquals(DropReason.NONE, r, "our own packets pass our parser's checks");
    return seen;
  }

  @Test
  void senderReportWithBlockCnameAndByeReadsBack() {
    ByteBuffer b = ByteBuffer.allocate(256);
    long ntp = 0x1234_5678_9abc_def0L;
    int at = RtcpWriter.report(b, 0, true, 1, 0xdeadbeefL, ntp, 0xfffffff0L, 500, 80_000);
    at = RtcpWriter.reportBlock(b, at, 0x01020304L, 25, -3, 0x1_0005L, 42, 0xabcd_0123L, 65_536);
    at = RtcpWriter.sdesCname(b, at, 0xdeadbeefL, "sb-1".getBytes(StandardCharsets.US_ASCII));
    at = RtcpWriter.bye(b, at, 0xdeadbeefL);
    assertEquals(0, at % 4, "RTCP packets are whole 32-bit words");
    List<Seen> seen = parse(b, at);
    assertEquals(3, seen.size());
    assertArrayEquals(new long[] {0xdeadbeefL, 0x5678_9abcL, 0xfffffff0L, 500, 80_000}, seen.get(0).values());
    assertArrayEquals(new long[] {0xdeadbeefL, 0x01020304L, 25, -3, 0x1_0005L, 42, 0xabcd_0123L, 65_536}, seen.get(1).values());
    assertArrayEquals(new long[] {0xdeadbeefL}, seen.get(2).values());
    assertEquals(1, b.get(28 + 24 + 8), "SDES item type CNAME");
    assertEquals(4, b.get(28 + 24 + 9));
  }

  @Test
  void receiverReportWithoutBlocksAndTheLossClamp() {
    ByteBuffer b = ByteBuffer.allocate(256);
    int at = RtcpWriter.report(b, 0, false, 0, 7, 0, 0, 0, 0);
    assertEquals(8, at);
    at = RtcpWriter.sdesCname(b, at, 7, "abc".getBytes(StandardCharsets.US_ASCII)); // 2 + 3 + 1 = 6 → 8 bytes of items
    assertEquals(8 + 16, at);
    assertEquals(List.of(), parse(b, at));

    at = RtcpWriter.report(b, 0, false, 1, 7, 0, 0, 0, 0);
    at = RtcpWriter.reportBlock(b, at, 9, 0, 1L << 40, 0, 0, 0, 0);
    assertEquals(0x7fffff, parse(b, at).get(0).values()[3], "cumulative loss saturates at 24 bits");
  }

  @Test
  void ntpMiddleBitsAndShortUnits() {
    long a = NtpTime.at(0);
    long b = NtpTime.at(1_000_000_000L);
    assertEquals(1L << 32, b - a, "one second is 2^32 NTP units");
    assertEquals(65_536, NtpTime.middle32(b) - NtpTime.middle32(a) & 0xffffffffL);
    assertEquals(32_768, NtpTime.toShortUnits(500_000_000L));
    long unixSeconds = (NtpTime.at(System.nanoTime()) >>> 32) - 2_208_988_800L;
    assertEquals(System.currentTimeMillis() / 1000.0, unixSeconds, 2, "seconds since 1900, from the wall clock");
  }
}
