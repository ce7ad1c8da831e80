package io.switchboard.media.sdp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RFC 3264 offer/answer for one audio stream: answer a remote offer, make an offer, take the answer.
 * The codec is the first of the offer's formats this node supports (the offerer's preference);
 * telephone-event is always offered and always accepted when the peer has it, under the peer's
 * payload type.
 */
public final class OfferAnswer {

  /** Codecs the media path can decode and encode, by name; {@link #offer} lists them in this order. */
  public static final List<RtpMap> SUPPORTED = List.of(RtpMap.staticType(0), RtpMap.staticType(8));

  public static final int TELEPHONE_EVENT_PT = 101;
  private static final RtpMap TELEPHONE_EVENT = new RtpMap(TELEPHONE_EVENT_PT, RtpMap.TELEPHONE_EVENT, 8000, 1, "0-16");

  /** Where this side receives. */
  public record Local(String address, int rtpPort, int rtcpPort, long sessionId) {}

  /**
   * What both sides agreed on for one stream.
   *
   * @param telephoneEvent the peer's telephone-event payload type, or null when it has none
   * @param remoteRtp where the peer receives RTP (from its SDP; symmetric RTP may replace it)
   */
  public record Negotiated(RtpMap codec, RtpMap telephoneEvent, Direction direction, InetSocketAddress remoteRtp,
                           InetSocketAddress remoteRtcp, boolean rtcpMux, int ptime) {}

  public record Answered(Negotiated negotiated, String sdp) {}

  private OfferAnswer() {}

  public static Answered answer(String offerSdp, Direction wanted, Local local) throws SdpException {
    SessionDescription offer = SessionDescription.parse(offerSdp);
    MediaDescription audio = offer.audio();
    if (!audio.isRtp()) throw new SdpException("unsupported audio transport " + audio.proto() + " (RTP/AVP only)");
    RtpMap codec = null;
    RtpMap dtmf = null;
    for (RtpMap offered : audio.rtpMaps()) {
      if (codec == null && supported(offered)) codec = offered;
      if (dtmf == null && offered.isTelephoneEvent() && offered.clockRate() == 8000) dtmf = offered;
    }
    if (codec == null) {
      throw new SdpException("no common codec: offered " + names(audio.rtpMaps()) + ", supported " + names(SUPPORTED));
    }
    Direction direction = audio.direction().answer(wanted);
    Negotiated negotiated = new Negotiated(codec, dtmf, direction, rtpAddress(audio), rtcpAddress(audio),
        audio.rtcpMux(), audio.ptime() > 0 ? audio.ptime() : 20);

    List<MediaDescription> answerMedia = new ArrayList<>();
    for (MediaDescription m : offer.media()) {
      if (m == audio) {
        List<RtpMap> chosen = dtmf == null ? List.of(codec) : List.of(codec, dtmf);
        answerMedia.add(new MediaDescription("audio", local.rtpPort(), audio.proto(), payloadTypes(chosen), chosen,
            local.address(), direction, negotiated.ptime(), audio.rtcpMux() ? 0 : local.rtcpPort(), audio.rtcpMux()));
      } else {
        // RFC 3264 §6: every offered stream gets an answer; the ones we do not take are rejected with port 0
        answerMedia.add(new MediaDescription(m.type(), 0, m.proto(), m.formats(), List.of(), null, Direction.INACTIVE, 0, 0, false));
      }
    }
    String sdp = new SessionDescription(local.sessionId(), 1, local.address(), local.address(), answerMedia).write();
    return new Answered(negotiated, sdp);
  }

  /** An offer for the given codec names ({@code null} or empty: all supported), telephone-event always added. */
  public static String offer(List<String> codecNames, Direction direction, Local local) throws SdpException {
    List<RtpMap> maps = new ArrayList<>();
    if (codecNames == null || codecNames.isEmpty()) {
      maps.addAll(SUPPORTED);
    } else {
      for (String name : codecNames) {
        RtpMap match = SUPPORTED.stream().filter(s -> s.encoding().equalsIgnoreCase(name)).findFirst()
            .orElseThrow(() -> new SdpException("unsupported codec " + name + "; supported: " + names(SUPPORTED)));
        if (!maps.contains(match)) maps.add(match);
      }
    }
    maps.add(TELEPHONE_EVENT);
    MediaDescription audio = new MediaDescription("audio", local.rtpPort(), "RTP/AVP", payloadTypes(maps), maps,
        local.address(), direction, 20, local.rtcpPort(), false);
    return new SessionDescription(local.sessionId(), 1, local.address(), local.address(), List.of(audio)).write();
  }

  /** Takes the answer to an offer made by {@link #offer}: the answerer's first codec that was offered. */
  public static Negotiated acceptAnswer(String answerSdp, List<RtpMap> offered, Direction offeredDirection) throws SdpException {
    SessionDescription answer = SessionDescription.parse(answerSdp);
    MediaDescription audio = answer.audio();
    RtpMap codec = null;
    RtpMap dtmf = null;
    for (RtpMap r : audio.rtpMaps()) {
      if (codec == null && !r.isTelephoneEvent() && offered.stream().anyMatch(r::sameCodec)) codec = r;
      if (dtmf == null && r.isTelephoneEvent() && r.clockRate() == 8000) dtmf = r;
    }
    if (codec == null) throw new SdpException("the answer accepts none of the offered codecs " + names(offered));
    Direction direction = Direction.of(offeredDirection.sends() && audio.direction().receives(),
        offeredDirection.receives() && audio.direction().sends());
    return new Negotiated(codec, dtmf, direction, rtpAddress(audio), rtcpAddress(audio), audio.rtcpMux(),
        audio.ptime() > 0 ? audio.ptime() : 20);
  }

  private static boolean supported(RtpMap r) {
    return SUPPORTED.stream().anyMatch(r::sameCodec);
  }

  private static InetSocketAddress rtpAddress(MediaDescription m) {
    return InetSocketAddress.createUnresolved(m.connection(), m.port());
  }

  private static InetSocketAddress rtcpAddress(MediaDescription m) {
    int port = m.rtcpPort() > 0 ? m.rtcpPort() : m.rtcpMux() ? m.port() : m.port() + 1;
    return InetSocketAddress.createUnresolved(m.connection(), port);
  }

  private static List<String> payloadTypes(List<RtpMap> maps) {
    return maps.stream().map(r -> Integer.toString(r.payloadType())).toList();
  }

  private static String names(List<RtpMap> maps) {
    return maps.stream().map(r -> r.encoding().toUpperCase(Locale.ROOT) + "/" + r.clockRate()).distinct().toList().toString();
  }
}
