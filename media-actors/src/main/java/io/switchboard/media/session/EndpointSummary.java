package io.switchboard.media.session;

import io.switchboard.media.cluster.CborSerializable;

/**
 * An endpoint as {@code session.info} shows it.
 *
 * @param state {@code new} until the first packet from the peer, then {@code connected}
 * @param codec the negotiated codec ({@code PCMU/8000}), or null while an offer awaits its answer
 * @param remoteAddress the peer's RTP address (learned from its first packet), or null when unknown
 */
public record EndpointSummary(String endpointId, String type, String direction, String state, String codec,
                              String localAddress, String remoteAddress) implements CborSerializable {}
