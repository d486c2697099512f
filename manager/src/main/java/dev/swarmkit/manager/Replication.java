package dev.swarmkit.manager;

import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.store.MemoryStore;
import java.util.function.Consumer;

/**
 * How this manager's store is replicated, and whether this manager leads. Leader-only components
 * are started and stopped from the leadership callbacks.
 */
public interface Replication extends AutoCloseable {

  /** The store, whose writes go through the replication's log. */
  MemoryStore store();

  boolean isLeader();

  /** Called with {@code true} on gaining and {@code false} on losing leadership; fires at once with the current state. */
  void onLeadershipChange(Consumer<Boolean> listener);

  RaftMembershipView membership();

  /** Why writes cannot be served now (no leader, quorum lost), worded for an operator. */
  default String unavailableReason() {
    return "raft: no elected cluster leader";
  }

  @Override
  void close();
}
