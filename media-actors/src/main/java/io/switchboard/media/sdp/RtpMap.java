package io.switchboard.media.sdp;

import java.util.Locale;

/** One payload type of an m-line: {@code a=rtpmap:<pt> <name>/<clock>[/<channels>]} and its fmtp. */
public record RtpMap(int payloadType, String encoding, int clockRate, int channels, String fmtp) {

  public static final String TELEPHONE_EVENT = "telephone-event";

  /** The static payload types of RFC 3551 that an offer may use without an rtpmap. */
  public static RtpMap staticType(int pt) {
    return switch (pt) {
      case 0 -> new RtpMap(0, "PCMU", 8000, 1, null);
      case 8 -> new RtpMap(8, "PCMA", 8000, 1, null);
      case 9 -> new RtpMap(9, "G722", 8000, 1, null);
      case 18 -> new RtpMap(18, "G729", 8000, 1, null);
      default -> null;
    };
  }

  public boolean sameCodec(RtpMap other) {
    return encoding.equalsIgnoreCase(other.encoding) && clockRate == other.clockRate && channels == other.channels;
  }

  public boolean isTelephoneEvent() {
    return encoding.equalsIgnoreCase(TELEPHONE_EVENT);
  }

  public String rtpmapValue() {
    return payloadType + " " + encoding + "/" + clockRate + (channels > 1 ? "/" + channels : "");
  }

  public String key() {
    return encoding.toUpperCase(Locale.ROOT) + "/" + clockRate;
  }

  public RtpMap withPayloadType(int pt) {
    return new RtpMap(pt, encoding, clockRate, channels, fmtp);
  }

  public RtpMap withFmtp(String f) {
    return new RtpMap(payloadType, encoding, clockRate, channels, f);
  }
}
