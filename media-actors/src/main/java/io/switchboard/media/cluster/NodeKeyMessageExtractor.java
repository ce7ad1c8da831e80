package io.switchboard.media.cluster;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/** Shard id = the node key prefix of the entity id, so one shard holds one node's entities of a type. */
public final class NodeKeyMessageExtractor<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {

  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return NodeKey.shardOf(entityId);
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}
