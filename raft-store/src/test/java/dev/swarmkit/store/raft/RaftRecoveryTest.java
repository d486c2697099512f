package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftRecoveryTest {

  @TempDir Path dir;

  /** Snapshot every 10 entries, keep none behind it, cut 4 KiB log segments: compaction happens fast. */
  private static RaftConfig compacting(RaftConfig c) {
    return c.withSnapshots(10, 0, 4 * 1024);
  }

  private static void createMany(TestCluster c, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      c.createOnLeader(prefix + i);
    }
  }

  private static void assertHasAll(RaftNode n, String prefix, int count) {
    n.readIndex();
    for (int i = 0; i < count; i++) {
      String id = prefix + i;
      assertThat(TestCluster.has(n, id)).as("%s on %s", id, n.nodeId()).isTrue();
    }
  }

  @Test
  void aRestartedFollowerRecoversEveryCommittedObjectFromSnapshotAndLog() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, RaftRecoveryTest::compacting)) {
      createMany(c, "r-", 45);
      RaftNode leader = c.leader();
      int follower = c.indexOf(c.running().stream().filter(n -> n != leader).findFirst().orElseThrow());
      c.awaitEverywhere("r-44");
      RaftNode restarted = c.restart(follower);
      // everything it had committed is back before it hears from the leader again
      assertThat(restarted.store().view(tx -> tx.all(Table.NODES)).size()).isGreaterThanOrEqualTo(40);
      assertHasAll(restarted, "r-", 45);
      createMany(c, "after-", 3);
      c.awaitEverywhere("after-2");
      assertThat(restarted.store().snapshot()).isEqualTo(c.leader().store().snapshot());
    }
  }

  @Test
  void aWholeClusterRestartedFromDiskKeepsItsDataAndMembership() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, RaftRecoveryTest::compacting)) {
      createMany(c, "all-", 25);
      c.awaitEverywhere("all-24");
      long version = c.leader().store().currentVersion();
      for (int i = 0; i < 3; i++) {
        c.stop(i);
      }
      for (int i = 0; i < 3; i++) {
        c.restart(i);
      }
      RaftNode leader = c.leader();
      assertThat(leader.store().currentVersion()).isGreaterThanOrEqualTo(version);
      for (RaftNode n : c.running()) {
        assertHasAll(n, "all-", 25);
      }
      assertThat(leader.members()).extracting(dev.swarmkit.api.RaftMember::getNodeId)
          .containsExactlyInAnyOrder("node-0", "node-1", "node-2");
      c.createOnLeader("again");
      c.awaitEverywhere("again");
    }
  }

  @Test
  void aMemberAddedAfterCompactionCatchesUpFromASnapshot() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, RaftRecoveryTest::compacting)) {
      createMany(c, "s-", 120);
      RaftNode leader = c.leader();
      await().atMost(TestCluster.WAIT).until(() -> leader.firstLogIndex() > 1);
      int added = c.addNew();
      RaftNode late = c.node(added);
      assertHasAll(late, "s-", 120);
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
    try (TestCluster c = TestCluster.start(dir, 3, RaftRecoveryTest::compacting)) {
      createMany(c, "f-", 15);
      c.awaitEverywhere("f-14");
      for (int i = 0; i < 3; i++) {
        c.stop(i);
      }
      RaftNode forced = RaftNode.forceNewCluster(c.configs.get(1), dev.swarmkit.store.MemoryStore.Options.defaults());
      c.nodes.set(1, forced);
      assertThat(forced.isLeader()).isTrue();
      assertThat(forced.members()).extracting(dev.swarmkit.api.RaftMember::getNodeId).containsExactly("node-1");
      assertHasAll(forced, "f-", 15);

      c.createOnLeader("forced-write");
      int added = c.addNew();
      assertHasAll(c.node(added), "f-", 15);
      assertThat(TestCluster.has(c.node(added), "forced-write")).isTrue();
      // the old members were removed for good
      RaftConfig old = c.configs.get(0);
      assertThatThrownBy(() -> forced.addMember(old.raftId(), old.nodeId(), old.advertiseAddress()))
          .isInstanceOf(StoreException.FailedPrecondition.class);

      RaftNode restarted = c.restart(1);
      assertHasAll(restarted, "f-", 15);
      assertThat(TestCluster.has(restarted, "forced-write")).isTrue();
    }
  }
}
