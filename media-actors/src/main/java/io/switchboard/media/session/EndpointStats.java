package io.switchboard.media.session;

import io.switchboard.media.cluster.CborSerializable;

/**
 * One endpoint in a {@code stats} event.
 *
 * @param rttMs round-trip time from RTCP, null until known
 */
public record EndpointStats(String endpointId, Inbound inbound, Outbound outbound, Double rttMs, String codec, String state)
    implements CborSerializable {

  /** @param lastReceivedMsAgo null before the first packet */
  public record Inbound(long packets, long bytes, long packetsLost, double jitterMs, Long lastReceivedMsAgo, long dropped)
      implements CborSerializable {}

  public record Outbound(long packets, long bytes) implements CborSerializable {}
}
