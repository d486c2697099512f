package dev.swarmkit.store;

import dev.swarmkit.api.StoreAction;
import java.util.List;

/**
 * A single-member, non-replicated proposer: entry indexes come from a counter and the entry is
 * applied immediately. Used by {@code new MemoryStore()} in tests and benchmarks.
 */
public final class LocalProposer implements Proposer {

  private final MemoryStore store;

  public LocalProposer(MemoryStore store) {
    this.store = store;
  }

  @Override
  public long propose(List<StoreAction> actions) {
    // Writers are serialized by the store, so the next index is simply one past the applied one.
    long index = store.currentVersion() + 1;
    store.applyCommitted(index, actions);
    return index;
  }
}
