package dev.swarmkit.manager;

import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.store.MemoryStore;
import java.util.List;
import java.util.function.Consumer;

/**
 * A single manager whose store is not replicated: it is always the leader. Used by tests of the
 * manager's wiring; a real swarmd manager replicates through Raft.
 */
public final class LocalReplication implements Replication {

  private final MemoryStore store = new MemoryStore();
  private final String nodeId;
  private final String address;

  public LocalReplication(String nodeId, String address) {
    this.nodeId = nodeId;
    this.address = address;
  }

  @Override
  public MemoryStore store() {
    return store;
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public void onLeadershipChange(Consumer<Boolean> listener) {
    listener.accept(true);
  }

  @Override
  public RaftMembershipView membership() {
    ManagerStatus self = ManagerStatus.newBuilder()
        .setRaftId(1)
        .setAddr(address)
        .setLeader(true)
        .setReachability(RaftMemberStatus.Reachability.REACHABLE)
        .build();
    return new RaftMembershipView() {
      @Override
      public List<Member> members() {
        return List.of(new Member(nodeId, self));
      }

      @Override
      public boolean canRemoveMember(long raftId) {
        return false;
      }
    };
  }

  @Override
  public void close() {
    store.close();
  }
}
