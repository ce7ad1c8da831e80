package io.switchboard.media.transport;

/**
 * What the media path tells the control plane. Called on the media thread for rare events only (first
 * packet, a completed digit, RTCP BYE, a media timeout, a source's end), never per packet; implementations hand the
 * news to an actor and return at once.
 */
public interface MediaListener {
  void firstPacket(String endpointId);

  void dtmf(String endpointId, char digit, int durationMs);

  void rtcpBye(String endpointId, long[] ssrcs, String reason);

  void mediaTimeout(String endpointId, long silentMs);

  /** Voice activity detection: speech began after silence. */
  void speechStarted(String endpointId);

  /** Voice activity detection: still silent, for {@code silenceMs}; once per silence interval. */
  void silence(String endpointId, long silenceMs);

  /** A local source (tone, file) ended: {@code error} is null when it completed, else what went wrong. */
  void sourceFinished(String endpointId, String error);
}
