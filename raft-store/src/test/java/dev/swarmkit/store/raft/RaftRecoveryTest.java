package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.store.Table;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftRecoveryTest {

  @TempDir Path dir;

  @Test
  void aRestartedFollowerRecoversEveryCommittedObjectFromSnapshotAndLog() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster::compacting)) {
      c.createMany("r-", 45);
      RaftNode leader = c.leader();
      int follower = c.indexOf(c.running().stream().filter(n -> n != leader).findFirst().orElseThrow());
      c.awaitEverywhere("r-44");
      RaftNode restarted = c.restart(follower);
      // its own snapshot and log bring back (nearly) everything before the leader resends anything
      assertThat(restarted.store().view(tx -> tx.all(Table.NODES)).size()).isGreaterThanOrEqualTo(40);
      TestCluster.assertHasAll(restarted, "r-", 45);
      c.createMany("after-", 3);
      c.awaitEverywhere("after-2");
      assertThat(restarted.store().snapshot()).isEqualTo(c.leader().store().snapshot());
    }
  }

  @Test
  void aWholeClusterRestartedFromDiskKeepsItsDataAndMembership() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster::compacting)) {
      c.createMany("all-", 25);
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
        TestCluster.assertHasAll(n, "all-", 25);
      }
      assertThat(leader.members()).extracting(dev.swarmkit.api.RaftMember::getNodeId)
          .containsExactlyInAnyOrder("node-0", "node-1", "node-2");
      c.createOnLeader("again");
      c.awaitEverywhere("again");
    }
  }
}
