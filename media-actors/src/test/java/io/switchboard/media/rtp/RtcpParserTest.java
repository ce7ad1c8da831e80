package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpParserTest {

  // SR: V=2 RC=1 PT=200 len=12 words | ssrc 0x11111111 | NTP 0xAAAABBBB 0xCCCCDDDD | rtp ts 160 | packets 10 | octets 1600
  //   block: ssrc 0x22222222 | fraction 0x40, cumulative -1 (0xFFFFFF) | ext seq 0x00010005 | jitter 7 | LSR 0x12345678 | DLSR 0x00010000
  // BYE: V=2 SC=2 PT=203 len=4 words | 0x33333333 0x44444444 | reason len 7 "hung up" (padded to word)
  static final String COMPOUND = ""
      + "81 C8 000C 11111111 AAAABBBB CCCCDDDD 000000A0 0000000A 00000640"
      + " 22222222 40FFFFFF 00010005 00000007 12345678 00010000"
      + " 82 CB 0004 33333333 44444444 07 68756E67207570";

  record Seen(List<String> events) implements RtcpParser.Listener {
    public void senderReport(long ssrc, long ntpMiddle32, long rtpTimestamp, long packets, long octets) {
      events.add("SR " + Long.toHexString(ssrc) + " " + Long.toHexString(ntpMiddle32) + " " + rtpTimestamp + " " + packets + " " + octets);
    }

    public void reportBlock(long reporter, long source, int fraction, int cumulative, long seq, long jitter, long lsr, long dlsr) {
      events.add("RB " + Long.toHexString(source) + " " + fraction + " " + cumulative + " " + Long.toHexString(seq) + " "
          + jitter + " " + Long.toHexString(lsr) + " " + Long.toHexString(dlsr));
    }

    public void bye(long[] ssrcs, String reason) {
      events.add("BYE " + Long.toHexString(ssrcs[0]) + "," + Long.toHexString(ssrcs[1]) + " " + reason);
    }
  }

  @Test
  void reportsSenderReportBlocksAndByeFromACompoundPacketAtAnOffset() {
    Seen seen = new Seen(new ArrayList<>());
    ByteBuffer buf = Hex.at(11, COMPOUND);
    assertEquals(DropReason.NONE, RtcpParser.parse(buf, 11, Hex.length(COMPOUND), seen));
    assertEquals(List.of(
        "SR 11111111 bbbbcccc 160 10 1600",
        "RB 22222222 64 -1 10005 7 12345678 10000",
        "BYE 33333333,44444444 hung up"), seen.events());
  }

  @Test
  void byeWithoutReasonHasNullReason() {
    String bye = "81 CB 0001 12345678";
    long[][] ssrcs = new long[1][];
    String[] reason = {"unset"};
    assertEquals(DropReason.NONE, RtcpParser.parse(Hex.at(0, bye), 0, Hex.length(bye), new RtcpParser.Listener() {
      public void bye(long[] s, String r) {
        ssrcs[0] = s;
        reason[0] = r;
      }
    }));
    assertArrayEquals(new long[] {0x12345678L}, ssrcs[0]);
    assertNull(reason[0]);
  }

  @Test
  void lyingLengthsDropTheWholePacketBeforeAnyCallback() {
    Seen seen = new Seen(new ArrayList<>());
    assertEquals(DropReason.RTCP_LENGTH, RtcpParser.parse(Hex.at(0, "81 C9 0009 11111111"), 0, 8, seen));
    assertEquals(DropReason.RTCP_REPORT_OVERRUN, RtcpParser.parse(Hex.at(0, "85 C9 0001 11111111"), 0, 8, seen));
    assertEquals(DropReason.RTCP_BYE_OVERRUN, RtcpParser.parse(Hex.at(0, "83 CB 0001 11111111"), 0, 8, seen));
    assertEquals(DropReason.RTCP_BYE_OVERRUN, RtcpParser.parse(Hex.at(0, "81 CB 0002 11111111 09616263"), 0, 12, seen));
    assertEquals(DropReason.BAD_VERSION, RtcpParser.parse(Hex.at(0, "41 C9 0001 11111111"), 0, 8, seen));
    String validThenBroken = "80 C9 0001 11111111  81 CB 0007 22222222";
    assertEquals(DropReason.RTCP_LENGTH, RtcpParser.parse(Hex.at(0, validThenBroken), 0, 16, seen));
    assertTrue(seen.events().isEmpty(), "no partial reports: " + seen.events());
  }

  @Test
  void demultiplexesRtcpFromRtpByPayloadTypeRange() {
    assertTrue(RtcpParser.looksLikeRtcp(Hex.at(0, "80 C8"), 0, 2));
    assertTrue(RtcpParser.looksLikeRtcp(Hex.at(0, "80 CB"), 0, 2));
    assertFalse(RtcpParser.looksLikeRtcp(Hex.at(0, "80 00"), 0, 2));
    assertFalse(RtcpParser.looksLikeRtcp(Hex.at(0, "80 65"), 0, 2), "PT 101 telephone-event is RTP");
    assertFalse(RtcpParser.looksLikeRtcp(Hex.at(0, "80 E5"), 0, 2), "marker + PT 101 is RTP");
  }
}
