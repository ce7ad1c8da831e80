package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RtpHeaderTest {

  // V=2 P=0 X=0 CC=0 | M=1 PT=0 | seq=0x1234 | ts=0x00010203 | ssrc=0xDEADBEEF | payload 4 bytes
  static final String PLAIN = "80 80 1234 00010203 DEADBEEF  FF FE FD FC";

  // V=2 P=1 X=1 CC=2 | M=0 PT=101 | seq=0xFFFF | ts | ssrc | 2 CSRC | ext profile BEDE, 1 word | payload 2 | padding 3 (last byte 03)
  static final String FULL = "B2 65 FFFF 00000001 00000002  00000003 00000004  BEDE 0001 AABBCCDD  1122  0000 03";

  @Test
  void readsTheFixedHeaderFromANonZeroOffset() {
    for (int offset : new int[] {0, 5, 13}) {
      RtpHeader h = new RtpHeader().wrap(Hex.at(offset, PLAIN), offset, Hex.length(PLAIN));
      assertEquals(DropReason.NONE, h.validate());
      assertEquals(2, h.version());
      assertTrue(h.marker());
      assertEquals(0, h.payloadType());
      assertEquals(0x1234, h.sequenceNumber());
      assertEquals(0x00010203L, h.timestamp());
      assertEquals(0xDEADBEEFL, h.ssrc());
      assertEquals(offset + 12, h.payloadOffset());
      assertEquals(4, h.payloadLength());
    }
  }

  @Test
  void skipsCsrcsExtensionAndPadding() {
    int offset = 9;
    RtpHeader h = new RtpHeader().wrap(Hex.at(offset, FULL), offset, Hex.length(FULL));
    assertEquals(DropReason.NONE, h.validate());
    assertTrue(h.padding());
    assertTrue(h.extension());
    assertFalse(h.marker());
    assertEquals(2, h.csrcCount());
    assertEquals(101, h.payloadType());
    assertEquals(0xFFFF, h.sequenceNumber());
    assertEquals(4L, h.csrc(1));
    assertEquals(offset + 12 + 8 + 8, h.payloadOffset());
    assertEquals(2, h.payloadLength());
  }

  private static DropReason validate(String hex) {
    return new RtpHeader().wrap(Hex.at(3, hex), 3, Hex.length(hex)).validate();
  }

  @Test
  void refusesEveryKindOfLie() {
    assertEquals(DropReason.TOO_SHORT, validate("80 00 0001 00000000 000000"));
    assertEquals(DropReason.BAD_VERSION, validate("40 00 0001 00000000 00000000"));
    assertEquals(DropReason.CSRC_OVERRUN, validate("8F 00 0001 00000000 00000000 00000001"));
    assertEquals(DropReason.EXTENSION_OVERRUN, validate("90 00 0001 00000000 00000000 BEDE"));
    assertEquals(DropReason.EXTENSION_OVERRUN, validate("90 00 0001 00000000 00000000 BEDE FFFF 00000000"));
    assertEquals(DropReason.PADDING_OVERRUN, validate("A0 00 0001 00000000 00000000 00 00 00 20"));
    assertEquals(DropReason.PADDING_OVERRUN, validate("A0 00 0001 00000000 00000000 00 00 00 00"));
    assertEquals(DropReason.NONE, validate("A0 00 0001 00000000 00000000 00 00 00 04"), "padding may eat the whole payload");
  }

  @Test
  void writesAFixedHeaderThatReadsBack() {
    ByteBuffer out = ByteBuffer.allocate(40);
    RtpHeader.writeFixed(out, 7, true, 8, 65535, 0xFFFFFFFFL, 0x80000001L);
    RtpHeader h = new RtpHeader().wrap(out, 7, 12 + 3);
    assertEquals(DropReason.NONE, h.validate());
    assertTrue(h.marker());
    assertEquals(8, h.payloadType());
    assertEquals(65535, h.sequenceNumber());
    assertEquals(0xFFFFFFFFL, h.timestamp());
    assertEquals(0x80000001L, h.ssrc());
  }

  @Test
  void sequenceComparisonWrapsAround() {
    assertEquals(1, SequenceNumbers.delta16(65535, 0));
    assertEquals(-1, SequenceNumbers.delta16(0, 65535));
    assertTrue(SequenceNumbers.isNewer16(3, 65530));
    assertFalse(SequenceNumbers.isNewer16(65530, 3));
    assertEquals(160, SequenceNumbers.delta32(0xFFFFFFF0L, 0x90L));
  }
}
