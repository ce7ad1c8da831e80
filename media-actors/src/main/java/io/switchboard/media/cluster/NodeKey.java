package io.switchboard.media.cluster;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * Names the node incarnation that owns an entity. Session and endpoint ids have the form
 * {@code <nodeKey>-<uuid>}; the node key (the member's unique id in base 36) is also the shard id, and
 * {@link NodePinnedAllocationStrategy} places that shard on that node. A restarted node has a new key, so
 * ids of entities that died with the old incarnation can never reach a fresh entity by accident.
 */
public final class NodeKey {

  private static final Pattern ENTITY_ID = Pattern.compile("[0-9a-z]{1,14}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private NodeKey() {}

  public static String of(UniqueAddress address) {
    return Long.toUnsignedString(address.longUid(), 36);
  }

  public static String of(Member member) {
    return of(member.uniqueAddress());
  }

  public static String newEntityId(String nodeKey) {
    return nodeKey + "-" + UUID.randomUUID();
  }

  /** True when {@code id} has the shape of an entity id we issue; anything else is refused before sharding. */
  public static boolean isWellFormed(String id) {
    return id != null && ENTITY_ID.matcher(id).matches();
  }

  /** The shard id (node key) of a well-formed entity id. */
  public static String shardOf(String entityId) {
    int dash = entityId.indexOf('-');
    return dash > 0 ? entityId.substring(0, dash) : entityId;
  }

  public static Optional<String> nodeKeyOf(String entityId) {
    return isWellFormed(entityId) ? Optional.of(shardOf(entityId)) : Optional.empty();
  }
}
