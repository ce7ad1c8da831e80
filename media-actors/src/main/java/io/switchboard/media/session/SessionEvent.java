package io.switchboard.media.session;

import io.switchboard.media.cluster.CborSerializable;

/** One event of a session as delivered to its controller: {@code seq} increases by one per event. */
public record SessionEvent(String sessionId, long seq, EventPayload payload) implements CborSerializable {}
