package io.switchboard.media.cluster;

/**
 * Marker for every message that may cross a node boundary. Bound to Pekko's {@code jackson-cbor}
 * serializer in {@code reference.conf}; Java serialization stays off. Messages that are node-local only
 * (stream handles, packets) must not implement it.
 */
public interface CborSerializable {}
