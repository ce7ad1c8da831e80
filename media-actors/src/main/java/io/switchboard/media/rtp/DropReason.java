package io.switchboard.media.rtp;

/** Why an incoming packet was dropped; each reason has its own counter. {@link #NONE}: it was not. */
public enum DropReason {
  NONE,
  TOO_SHORT,
  BAD_VERSION,
  CSRC_OVERRUN,
  EXTENSION_OVERRUN,
  PADDING_OVERRUN,
  RTCP_LENGTH,
  RTCP_REPORT_OVERRUN,
  RTCP_BYE_OVERRUN,
  UNKNOWN_PAYLOAD_TYPE,
  WRONG_SOURCE,
  SEND_FAILED
}
