package io.switchboard.media.rtp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.switchboard.media.sdp.Direction;
import io.switchboard.media.sdp.OfferAnswer;
import io.switchboard.media.sdp.SdpException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated packets and SDP bodies: the parsers answer every one with a verdict
 * (a drop reason, an SdpException) and never throw anything else or read outside the datagram.
 */
class ParserFuzzTest {

  static final String RTCP = RtcpParserTest.COMPOUND.replace(" ", "");
  static final String RTP = RtpHeaderTest.FULL.replace(" ", "");

  @Test
  void randomAndMutatedPacketsGetAVerdict() {
    Random random = new Random(4733);
    RtpHeader rtp = new RtpHeader();
    RtcpParser.Listener ignore = new RtcpParser.Listener() {};
    byte[] seedRtcp = java.util.HexFormat.of().parseHex(RTCP);
    byte[] seedRtp = java.util.HexFormat.of().parseHex(RTP);
    for (int i = 0; i < 20_000; i++) {
      byte[] packet;
      if (i % 3 == 0) {
        packet = new byte[random.nextInt(80)];
        random.nextBytes(packet);
      } else {
        byte[] seed = (i % 3 == 1) ? seedRtcp : seedRtp;
        packet = java.util.Arrays.copyOf(seed, Math.max(0, seed.length - random.nextInt(8)));
        for (int flips = random.nextInt(4) + 1; flips > 0 && packet.length > 0; flips--) {
          packet[random.nextInt(packet.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      // the datagram sits inside a larger buffer: reading past its end would see these guard bytes
      int offset = random.nextInt(16);
      ByteBuffer buf = ByteBuffer.allocate(offset + packet.length);
      buf.put(offset, packet);
      DropReason r = rtp.wrap(buf, offset, packet.length).validate();
      if (r == DropReason.NONE) {
        assertBounds(offset, packet.length, rtp.payloadOffset(), rtp.payloadLength());
      }
      assertNotNull(RtcpParser.parse(buf, offset, packet.length, ignore));
    }
  }

  private static void assertBounds(int offset, int length, int payloadOffset, int payloadLength) {
    if (payloadOffset < offset || payloadLength < 0 || payloadOffset + payloadLength > offset + length) {
      throw new AssertionError("payload outside the datagram");
    }
  }

  @Test
  void mutatedSdpGetsAnAnswerOrAClearError() {
    Random random = new Random(3264);
    String seed = io.switchboard.media.sdp.OfferAnswerTest.SIPP_OFFER;
    String alphabet = "v=omcsta: /\r\n0123456789RTPAVPINIP4.-x";
    OfferAnswer.Local local = new OfferAnswer.Local("127.0.0.1", 30000, 30001, 1);
    int answered = 0;
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sdp = new StringBuilder(seed);
      for (int edits = random.nextInt(5) + 1; edits > 0 && sdp.length() > 0; edits--) {
        int at = random.nextInt(sdp.length());
        switch (random.nextInt(3)) {
          case 0 -> sdp.deleteCharAt(at);
          case 1 -> sdp.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> sdp.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      try {
        assertNotNull(OfferAnswer.answer(sdp.toString(), Direction.SENDRECV, local).sdp());
        answered++;
      } catch (SdpException expected) {
        assertNotNull(expected.getMessage());
      }
    }
    if (answered == 0) throw new AssertionError("mutations should leave some offers valid");
  }
}
