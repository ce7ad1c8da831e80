package io.switchboard.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

public class OfferAnswerTest {

  static final OfferAnswer.Local LOCAL = new OfferAnswer.Local("127.0.0.1", 30000, 30001, 42);

  public static final String SIPP_OFFER = String.join("\r\n",
      "v=0",
      "o=user1 53655765 2353687637 IN IP4 127.0.0.1",
      "s=-",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      "m=audio 6000 RTP/AVP 8 0 101",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-15",
      "a=ptime:20",
      "a=sendrecv", "");

  @Test
  void answerPicksTheOfferersFirstCommonCodecAndKeepsItsTelephoneEventType() throws Exception {
    OfferAnswer.Answered a = OfferAnswer.answer(SIPP_OFFER, Direction.SENDRECV, LOCAL);
    assertEquals("PCMA", a.negotiated().codec().encoding());
    assertEquals(8, a.negotiated().codec().payloadType());
    assertEquals(101, a.negotiated().telephoneEvent().payloadType());
    assertEquals("127.0.0.1", a.negotiated().remoteRtp().getHostString());
    assertEquals(6000, a.negotiated().remoteRtp().getPort());
    assertEquals(6001, a.negotiated().remoteRtcp().getPort());
    assertEquals(Direction.SENDRECV, a.negotiated().direction());

    SessionDescription answer = SessionDescription.parse(a.sdp());
    MediaDescription m = answer.audio();
    assertEquals(30000, m.port());
    assertEquals(List.of("8", "101"), m.formats());
    assertEquals("127.0.0.1", m.connection());
    assertEquals(30001, m.rtcpPort());
    assertEquals("0-15", m.rtpMaps().get(1).fmtp(), "the offerer's telephone-event parameters are kept");
    assertTrue(a.sdp().contains("a=sendrecv\r\n"));
    assertTrue(a.sdp().endsWith("\r\n"));
  }

  @Test
  void directionsIntersectAndOtherStreamsAreRejectedWithPortZero() throws Exception {
    String offer = SIPP_OFFER.replace("a=sendrecv", "a=sendonly")
        + "m=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
    OfferAnswer.Answered a = OfferAnswer.answer(offer, Direction.SENDRECV, LOCAL);
    assertEquals(Direction.RECVONLY, a.negotiated().direction());
    SessionDescription answer = SessionDescription.parse(a.sdp());
    assertEquals(2, answer.media().size());
    assertEquals(0, answer.media().get(1).port());
    assertEquals(Direction.INACTIVE, OfferAnswer.answer(SIPP_OFFER, Direction.INACTIVE, LOCAL).negotiated().direction());
    assertEquals(Direction.SENDONLY, OfferAnswer.answer(SIPP_OFFER, Direction.SENDONLY, LOCAL).negotiated().direction());
  }

  @Test
  void rtcpMuxAndExplicitRtcpPortAreHonoured() throws Exception {
    OfferAnswer.Answered mux = OfferAnswer.answer(SIPP_OFFER.replace("a=ptime:20", "a=rtcp-mux"), Direction.SENDRECV, LOCAL);
    assertTrue(mux.negotiated().rtcpMux());
    assertEquals(6000, mux.negotiated().remoteRtcp().getPort());
    assertTrue(mux.sdp().contains("a=rtcp-mux"));
    OfferAnswer.Answered explicit = OfferAnswer.answer(SIPP_OFFER.replace("a=ptime:20", "a=rtcp:7000"), Direction.SENDRECV, LOCAL);
    assertEquals(7000, explicit.negotiated().remoteRtcp().getPort());
  }

  @Test
  void staticPayloadTypesNeedNoRtpmapAndMediaLevelConnectionWins() throws Exception {
    String offer = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        + "m=audio 4000 RTP/AVP 18 0\r\nc=IN IP4 127.0.0.2\r\n";
    OfferAnswer.Answered a = OfferAnswer.answer(offer, Direction.SENDRECV, LOCAL);
    assertEquals("PCMU", a.negotiated().codec().encoding());
    assertNull(a.negotiated().telephoneEvent());
    assertEquals("127.0.0.2", a.negotiated().remoteRtp().getHostString());
    assertEquals(List.of("0"), SessionDescription.parse(a.sdp()).audio().formats());
  }

  @Test
  void offerListsCodecsAndAlwaysTelephoneEventAndTakesTheAnswer() throws Exception {
    String offer = OfferAnswer.offer(List.of("PCMA"), Direction.SENDRECV, LOCAL);
    MediaDescription m = SessionDescription.parse(offer).audio();
    assertEquals(List.of("8", "101"), m.formats());
    String answer = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 5004 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=recvonly\r\n";
    OfferAnswer.Negotiated n = OfferAnswer.acceptAnswer(answer, m.rtpMaps(), Direction.SENDRECV);
    assertEquals("PCMA", n.codec().encoding());
    assertEquals(96, n.telephoneEvent().payloadType());
    assertEquals(Direction.SENDONLY, n.direction());
    assertEquals(5004, n.remoteRtp().getPort());
    assertEquals(List.of("0", "8", "101"), SessionDescription.parse(OfferAnswer.offer(null, Direction.SENDRECV, LOCAL)).audio().formats());
  }

  @Test
  void badSdpIsAClearError() {
    assertMessage("", "empty");
    assertMessage("v=1\r\n", "v=0");
    assertMessage("v=0\r\nthis is not sdp\r\n", "line 2");
    assertMessage("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", "no m= line");
    assertMessage("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 99999 RTP/AVP 0\r\n", "out of range");
    assertMessage("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\n", "no common codec");
    assertMessage("v=0\r\nm=audio 4000 RTP/AVP 0\r\n", "no c= address");
    assertMessage("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/SAVP 0\r\n", "unsupported audio transport");
    assertMessage("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP x\r\n", "not a number");
    assertMessage("v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 4000 RTP/AVP 96\r\n", "no audio");
    assertMessage("v=0\r\n" + "a=x\r\n".repeat(5000), "longer than");
  }

  private static void assertMessage(String sdp, String fragment) {
    SdpException e = assertThrows(SdpException.class, () -> OfferAnswer.answer(sdp, Direction.SENDRECV, LOCAL));
    assertTrue(e.getMessage().contains(fragment), "\"" + e.getMessage() + "\" should mention " + fragment);
  }
}
