package io.switchboard.media.sdp;

import java.util.List;

/**
 * One {@code m=} section.
 *
 * @param formats payload types in the order of the m-line (the offerer's preference)
 * @param rtpMaps the formats this section describes, static types filled in, in m-line order
 * @param connection {@code c=} address of this section, or the session-level one
 * @param rtcpPort {@code a=rtcp} port, or 0 (then RTP port + 1, or the RTP port with rtcp-mux)
 */
public record MediaDescription(
    String type,
    int port,
    String proto,
    List<String> formats,
    List<RtpMap> rtpMaps,
    String connection,
    Direction direction,
    int ptime,
    int rtcpPort,
    boolean rtcpMux) {

  public MediaDescription {
    formats = List.copyOf(formats);
    rtpMaps = List.copyOf(rtpMaps);
  }

  public boolean isAudio() {
    return type.equals("audio");
  }

  public boolean isRtp() {
    return proto.equals("RTP/AVP") || proto.equals("RTP/AVPF");
  }
}
