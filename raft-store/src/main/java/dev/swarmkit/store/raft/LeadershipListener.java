package dev.swarmkit.store.raft;

/**
 * Told when this member becomes a leader able to write (it has applied every earlier entry) or stops
 * being one, so the manager can start and stop leader-only components. Calls arrive in order on one
 * dedicated thread; a slow listener delays later calls but never Raft itself.
 */
@FunctionalInterface
public interface LeadershipListener {
  void onLeadershipChange(boolean isLeader);
}
