package dev.swarmkit.store;

import dev.swarmkit.api.StoreAction;
import java.util.List;

/**
 * The replication seam of {@link MemoryStore}: how one write transaction becomes a committed log
 * entry.
 *
 * <p>The store validates a transaction against its current state, stamps every object's {@code Meta}
 * (created_at/updated_at, and a provisional version) and hands the resulting actions to {@link
 * #propose}. An implementation replicates them (Raft) and, once the entry is committed, every
 * replica - the proposing one included - calls {@link MemoryStore#applyCommitted(long, List)} with
 * the entry's log index, in log order. {@code propose} returns only after that local apply has
 * happened, so the writer observes its own change on return.
 *
 * <p>Writes are serialized by the store (one transaction at a time), so a proposer never sees two
 * concurrent calls from the same store.
 */
public interface Proposer {

  /**
   * Replicates {@code actions} as one entry and returns its index once the entry has been applied to
   * the local store.
   *
   * @throws StoreException.NotLeader this member may not propose; nothing was written
   * @throws StoreException other failures; the entry was not committed
   */
  long propose(List<StoreAction> actions);
}
