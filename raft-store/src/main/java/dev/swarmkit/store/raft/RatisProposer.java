package dev.swarmkit.store.raft;

import dev.swarmkit.api.InternalRaftRequest;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.store.Proposer;
import dev.swarmkit.store.StoreException;
import java.util.List;

/**
 * Proposes store transactions through this member's Ratis server. Only a leader that has applied
 * every entry of earlier terms proposes (the store validated the transaction against its local state,
 * which must therefore be current); anything else fails with {@link StoreException.NotLeader}. {@link
 * #propose} returns once the entry has been applied to the local store, with the entry's log index.
 */
final class RatisProposer implements Proposer {

  private final RaftNode node;

  RatisProposer(RaftNode node) {
    this.node = node;
  }

  @Override
  public long propose(List<StoreAction> actions) {
    InternalRaftRequest request = InternalRaftRequest.newBuilder()
        .setId(node.nextRequestId())
        .addAllAction(actions)
        .build();
    long start = System.nanoTime();
    try {
      return node.proposeStore(request);
    } finally {
      RaftMetrics.observeSince(RaftMetrics.TRANSACTION, start);
    }
  }
}
