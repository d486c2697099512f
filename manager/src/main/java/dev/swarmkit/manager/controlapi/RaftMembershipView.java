package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ManagerStatus;
import java.util.List;
import java.util.Optional;

/**
 * What the control API needs to know about the Raft membership: the managers that are members, and
 * whether one can be removed without losing quorum. The manager wires this to its Raft node.
 */
public interface RaftMembershipView {

  /** One Raft member: the node it runs on and its status as shown in node listings. */
  record Member(String nodeId, ManagerStatus status) {}

  /** Current members of the Raft cluster. */
  List<Member> members();

  /** Whether removing the member with this Raft ID keeps a quorum of reachable members. */
  boolean canRemoveMember(long raftId);

  default Optional<Member> memberByNodeId(String nodeId) {
    return members().stream().filter(m -> m.nodeId().equals(nodeId)).findFirst();
  }

  /** A view with no Raft at all (upstream's nil raft): nothing is a member. */
  static RaftMembershipView none() {
    return new RaftMembershipView() {
      @Override
      public List<Member> members() {
        return List.of();
      }

      @Override
      public boolean canRemoveMember(long raftId) {
        return false;
      }
    };
  }
}
