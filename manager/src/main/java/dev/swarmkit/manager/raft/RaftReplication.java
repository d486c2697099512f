package dev.swarmkit.manager.raft;

import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.RaftMember;
import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.manager.Replication;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.raft.RaftNode;
import java.util.List;
import java.util.function.Consumer;

/** A manager's store replicated by its Raft member. */
public final class RaftReplication implements Replication {

  private final RaftNode raft;

  public RaftReplication(RaftNode raft) {
    this.raft = raft;
  }

  public RaftNode raft() {
    return raft;
  }

  @Override
  public MemoryStore store() {
    return raft.store();
  }

  @Override
  public boolean isLeader() {
    return raft.isLeader();
  }

  @Override
  public void onLeadershipChange(Consumer<Boolean> listener) {
    raft.onLeadershipChange(listener::accept);
  }

  @Override
  public String unavailableReason() {
    return raft.unavailableReason();
  }

  @Override
  public RaftMembershipView membership() {
    return new RaftMembershipView() {
      @Override
      public List<Member> members() {
        return raft.members().stream().map(RaftReplication::member).toList();
      }

      @Override
      public boolean canRemoveMember(long raftId) {
        List<RaftMember> all = raft.members();
        List<RaftMember> remaining = all.stream().filter(m -> m.getRaftId() != raftId).toList();
        if (remaining.isEmpty() || remaining.size() == all.size()) {
          return false;
        }
        long reachable = remaining.stream()
            .filter(m -> m.getStatus().getReachability() == RaftMemberStatus.Reachability.REACHABLE)
            .count();
        return reachable > remaining.size() / 2;
      }
    };
  }

  private static RaftMembershipView.Member member(RaftMember m) {
    ManagerStatus status = ManagerStatus.newBuilder()
        .setRaftId(m.getRaftId())
        .setAddr(RaftAddresses.remoteApiOf(m.getAddr()))
        .setLeader(m.getStatus().getLeader())
        .setReachability(m.getStatus().getReachability())
        .build();
    return new RaftMembershipView.Member(m.getNodeId(), status);
  }

  @Override
  public void close() {
    raft.close();
  }
}
