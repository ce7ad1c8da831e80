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
  void aSessionLevelDirectionAppliesToEverySectionWithoutItsOwn() throws Exception {
    // RFC 4566 §6: a=sendonly before the first m= line; the audio section has no direction of its own
    String sessionSendonly = SIPP_OFFER.replace("a=sendrecv\r\n", "").replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n")
        + "m=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
    SessionDescription parsed = SessionDescription.parse(sessionSendonly);
    assertEquals(Direction.SENDONLY, parsed.media().get(0).direction());
    assertEquals(Direction.SENDONLY, parsed.media().get(1).direction(), "every section, not just the first");
    OfferAnswer.Answered a = OfferAnswer.answer(sessionSendonly, Direction.SENDRECV, LOCAL);
    assertEquals(Direction.RECVONLY, a.negotiated().direction(), "the offerer only sends, so we only receive");
    assertTrue(a.sdp().contains("a=recvonly\r\n"), a.sdp());

    // a section's own attribute wins over the session's
    String overridden = SIPP_OFFER.replace("t=0 0\r\n", "t=0 0\r\na=inactive\r\n");
    assertEquals(Direction.SENDRECV, OfferAnswer.answer(overridden, Direction.SENDRECV, LOCAL).negotiated().direction());
    String inactive = SIPP_OFFER.replace("a=sendrecv\r\n", "").replace("t=0 0\r\n", "t=0 0\r\na=inactive\r\n");
    assertEquals(Direction.INACTIVE, OfferAnswer.answer(inactive, Direction.SENDRECV, LOCAL).negotiated().direction());
    // neither level says anything: sendrecv
    assertEquals(Direction.SENDRECV,
        OfferAnswer.answer(SIPP_OFFER.replace("a=sendrecv\r\n", ""), Direction.SENDRECV, LOCAL).negotiated().direction());

    // the same rule for an answer to our offer: a session-level a=recvonly means we may only send
    String offer = OfferAnswer.offer(null, Direction.SENDRECV, LOCAL);
    String answer = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=recvonly\r\n"
        + "m=audio 5004 RTP/AVP 0\r\n";
    assertEquals(Direction.SENDONLY,
        OfferAnswer.acceptAnswer(answer, SessionDescription.parse(offer).audio().rtpMaps(), Direction.SENDRECV).direction());
  }

  @Test
  void theAnswerEchoesTheOfferedPtimeAndKeepsTheChosenCodecsFmtp() throws Exception {
    OfferAnswer.Answered thirty = OfferAnswer.answer(SIPP_OFFER.replace("a=ptime:20", "a=ptime:30"), Direction.SENDRECV, LOCAL);
    assertEquals(30, thirty.negotiated().ptime());
    assertEquals(30, SessionDescription.parse(thirty.sdp()).audio().ptime());
    assertTrue(thirty.sdp().contains("a=ptime:30\r\n"), thirty.sdp());
    OfferAnswer.Answered none = OfferAnswer.answer(SIPP_OFFER.replace("a=ptime:20\r\n", ""), Direction.SENDRECV, LOCAL);
    assertEquals(20, SessionDescription.parse(none.sdp()).audio().ptime(), "without a ptime we answer with 20 ms");

    // PCMU under a dynamic payload type with parameters, after a codec we do not support that has its own
    String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 6000 RTP/AVP 18 97 101\r\n"
        + "a=fmtp:18 annexb=no\r\n"
        + "a=rtpmap:97 PCMU/8000\r\n"
        + "a=fmtp:97 vendor-param=1\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\n"
        + "a=fmtp:101 0-11\r\n";
    OfferAnswer.Answered a = OfferAnswer.answer(offer, Direction.SENDRECV, LOCAL);
    assertEquals(97, a.negotiated().codec().payloadType());
    MediaDescription m = SessionDescription.parse(a.sdp()).audio();
    assertEquals(List.of("97", "101"), m.formats(), "the offerer's payload types");
    assertEquals("vendor-param=1", m.rtpMaps().get(0).fmtp(), "the chosen codec's fmtp is kept");
    assertEquals("0-11", m.rtpMaps().get(1).fmtp(), "and telephone-event's");
    assertTrue(a.sdp().contains("a=rtpmap:97 PCMU/8000\r\na=fmtp:97 vendor-param=1\r\n"), a.sdp());
    assertTrue(!a.sdp().contains("annexb"), "a codec we did not choose leaves no trace: " + a.sdp());
  }

  @Test
  void ourOfferCarriesPtimeTelephoneEventFmtpAndNoRtcpMux() throws Exception {
    String offer = OfferAnswer.offer(null, Direction.SENDRECV, LOCAL);
    MediaDescription m = SessionDescription.parse(offer).audio();
    assertEquals(20, m.ptime());
    assertEquals("0-16", m.rtpMaps().get(2).fmtp());
    assertTrue(!m.rtcpMux() && !offer.contains("rtcp-mux"), offer);
    assertEquals(30001, m.rtcpPort(), "RTCP on its own port, said with a=rtcp");
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
