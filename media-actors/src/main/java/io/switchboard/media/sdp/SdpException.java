package io.switchboard.media.sdp;

/** SDP that cannot be parsed or negotiated; the message says what is wrong, for the client to read. */
public final class SdpException extends Exception {
  public SdpException(String message) {
    super(message, null, false, false);
  }
}
