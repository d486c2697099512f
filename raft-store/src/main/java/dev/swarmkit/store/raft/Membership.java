package dev.swarmkit.store.raft;

import dev.swarmkit.api.ClusterSnapshot;
import dev.swarmkit.api.RaftMember;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated raft ID -> (node ID, address) records and the IDs removed for good, as upstream's
 * membership in a snapshot ({@code ClusterSnapshot}). Mutated only by the state machine's apply thread;
 * readers get copies.
 */
final class Membership {

  private final Map<Long, RaftMember> members = new TreeMap<>();
  private final Set<Long> removed = new TreeSet<>();

  synchronized void add(RaftMember member) {
    members.put(member.getRaftId(), member.toBuilder().clearStatus().build());
  }

  synchronized void remove(long raftId) {
    members.remove(raftId);
    removed.add(raftId);
  }

  synchronized Optional<RaftMember> get(long raftId) {
    return Optional.ofNullable(members.get(raftId));
  }

  synchronized boolean isRemoved(long raftId) {
    return removed.contains(raftId);
  }

  synchronized ClusterSnapshot toSnapshot() {
    return ClusterSnapshot.newBuilder().addAllMembers(members.values()).addAllRemoved(removed).build();
  }

  synchronized void restore(ClusterSnapshot snapshot) {
    members.clear();
    removed.clear();
    snapshot.getMembersList().forEach(m -> members.put(m.getRaftId(), m));
    removed.addAll(snapshot.getRemovedList());
  }
}
