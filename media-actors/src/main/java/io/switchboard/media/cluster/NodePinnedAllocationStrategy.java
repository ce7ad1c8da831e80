package io.switchboard.media.cluster;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places the shard named by a {@link NodeKey} on the region of that node, and never rebalances.
 *
 * <p>Sessions and endpoints hold sockets, timers and media state that cannot move by restarting the
 * actor elsewhere, so the shard of a node's entities must stay on that node for its whole life. The
 * gateway picks the node when it mints an id; this strategy only makes sharding honour the choice.
 * When the named node has no region (it left, or its region has not registered yet) the shard goes to
 * the requester, where an entity that was never created answers "not found" and stops.
 */
public final class NodePinnedAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

  private volatile Cluster cluster;

  @Override
  public void start(ActorSystem system) {
    cluster = Cluster.get(system);
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    Address owner = ownerAddress(shardId);
    if (owner != null) {
      for (ActorRef region : current.keySet()) {
        if (addressOf(region).equals(owner)) return Future.successful(region);
      }
    }
    return Future.successful(requester);
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    return Future.successful(Set.of());
  }

  private Address ownerAddress(String shardId) {
    for (Member m : cluster.state().getMembers()) {
      if (NodeKey.of(m).equals(shardId)) return m.address();
    }
    return null;
  }

  private Address addressOf(ActorRef region) {
    Address a = region.path().address();
    return a.hasGlobalScope() ? a : cluster.selfAddress();
  }
}
