package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.store.StoreException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftMembershipTest {

  @TempDir Path dir;

  @Test
  void aMemberAddedAfterCompactionCatchesUpFromASnapshot() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster::compacting)) {
      c.createMany("s-", 120);
      RaftNode leader = c.leader();
      await().atMost(TestCluster.WAIT).until(() -> leader.firstLogIndex() > 1);
      int added = c.addNew();
      RaftNode late = c.node(added);
      TestCluster.assertHasAll(late, "s-", 120);
      assertThat(late.store().snapshot()).isEqualTo(leader.store().snapshot());
      assertThat(leader.members()).hasSize(4);
    }
  }

  @Test
  void aRemovedMemberLeavesTheConfigurationAndCannotBeAddedBack() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      RaftNode leader = c.leader();
      RaftNode follower = c.running().stream().filter(n -> n != leader).findFirst().orElseThrow();
      int index = c.indexOf(follower);
      leader.removeMember(follower.raftId());
      assertThat(leader.members()).extracting(dev.swarmkit.api.RaftMember::getRaftId)
          .doesNotContain(follower.raftId()).hasSize(2);
      RaftConfig removed = c.configs.get(index);
      c.stop(index);
      assertThatThrownBy(() -> leader.addMember(removed.raftId(), removed.nodeId(), removed.advertiseAddress()))
          .isInstanceOf(StoreException.FailedPrecondition.class)
          .hasMessageContaining("removed");
      assertThatThrownBy(() -> leader.removeMember(12345))
          .isInstanceOf(StoreException.NotFound.class);
      c.createOnLeader("two-left");
      c.awaitEverywhere("two-left");
    }
  }

  @Test
  void removingAMemberThatWouldCostTheQuorumIsRefused() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      RaftNode leader = c.leader();
      java.util.List<RaftNode> followers = c.running().stream().filter(n -> n != leader).toList();
      c.stop(c.indexOf(followers.get(0)));
      await().atMost(TestCluster.WAIT).until(() -> leader.members().stream().anyMatch(m ->
          m.getStatus().getReachability() == dev.swarmkit.api.RaftMemberStatus.Reachability.UNREACHABLE));
      assertThatThrownBy(() -> leader.removeMember(followers.get(1).raftId()))
          .isInstanceOf(StoreException.FailedPrecondition.class)
          .hasMessageContaining("loss of quorum");
      assertThat(leader.members()).hasSize(3);
    }
  }

  @Test
  void forcingANewClusterFromOneSurvivorKeepsItsDataAndTakesNewMembers() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster::compacting)) {
      c.createMany("f-", 15);
      c.awaitEverywhere("f-14");
      for (int i = 0; i < 3; i++) {
        c.stop(i);
      }
      RaftNode forced = RaftNode.forceNewCluster(c.configs.get(1), dev.swarmkit.store.MemoryStore.Options.defaults());
      c.nodes.set(1, forced);
      assertThat(forced.isLeader()).isTrue();
      assertThat(forced.members()).extracting(dev.swarmkit.api.RaftMember::getNodeId).containsExactly("node-1");
      TestCluster.assertHasAll(forced, "f-", 15);

      c.createOnLeader("forced-write");
      int added = c.addNew();
      TestCluster.assertHasAll(c.node(added), "f-", 15);
      assertThat(TestCluster.has(c.node(added), "forced-write")).isTrue();
      // the old members were removed for good
      RaftConfig old = c.configs.get(0);
      assertThatThrownBy(() -> forced.addMember(old.raftId(), old.nodeId(), old.advertiseAddress()))
          .isInstanceOf(StoreException.FailedPrecondition.class);

      RaftNode restarted = c.restart(1);
      TestCluster.assertHasAll(restarted, "f-", 15);
      assertThat(TestCluster.has(restarted, "forced-write")).isTrue();
    }
  }

  @Test
  void aMemberGivenItsRaftIdByTheLeaderCanStartAfterItWasAdded() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 1)) {
      c.createMany("j-", 5);
      RaftNode leader = c.leader();
      long raftId = leader.newMemberRaftId();
      RaftConfig joiner = RaftConfig.defaults(dir.resolve("joiner"), raftId, "joiner", "127.0.0.1:" + TestCluster.freePort())
          .withTimeouts(TestCluster.HEARTBEAT, TestCluster.ELECTION_MIN, TestCluster.ELECTION_MAX)
          .withProposeTimeout(java.time.Duration.ofSeconds(10));
      java.util.concurrent.CompletableFuture<Void> added =
          leader.addMemberAsync(raftId, joiner.nodeId(), joiner.advertiseAddress());
      Thread.sleep(300); // the new manager is still starting when the leader has already accepted it
      try (RaftNode late = RaftNode.join(joiner, dev.swarmkit.store.MemoryStore.Options.defaults())) {
        added.get(20, java.util.concurrent.TimeUnit.SECONDS);
        TestCluster.assertHasAll(late, "j-", 5);
        assertThat(leader.members()).extracting(dev.swarmkit.api.RaftMember::getNodeId)
            .containsExactlyInAnyOrder("node-0", "joiner");
      }
    }
  }

  @Test
  void aLeaderThatRemovesItselfHandsOverToTheRemainingMembers() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      RaftNode leader = c.leader();
      leader.removeMember(leader.raftId());
      int index = c.indexOf(leader);
      await().atMost(TestCluster.WAIT).until(() -> !leader.isLeader());
      assertThatThrownBy(() -> leader.store().update(tx -> tx.create(dev.swarmkit.store.Table.NODES,
          TestCluster.nodeObject("from-removed")))).isInstanceOf(StoreException.NotLeader.class);
      c.stop(index);
      RaftNode next = c.leader();
      assertThat(next.members()).extracting(dev.swarmkit.api.RaftMember::getRaftId)
          .doesNotContain(leader.raftId()).hasSize(2);
      c.createOnLeader("after-handover");
      c.awaitEverywhere("after-handover");
    }
  }
}
