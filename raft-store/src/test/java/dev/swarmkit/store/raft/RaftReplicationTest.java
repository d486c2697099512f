package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Node;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftReplicationTest {

  @TempDir Path dir;

  @Test
  void writesOnTheLeaderAreVisibleOnFollowers() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      c.createOnLeader("n1");
      c.awaitEverywhere("n1");
      for (RaftNode n : c.running()) {
        Node stored = n.store().view(tx -> tx.get(Table.NODES, "n1")).orElseThrow();
        assertThat(stored.getMeta().getVersion().getIndex()).isEqualTo(c.leader().store().currentVersion());
      }
    }
  }

  @Test
  void followerWritesFailWithNotLeaderNamingTheLeader() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      RaftNode leader = c.leader();
      RaftNode follower = c.running().stream().filter(n -> n != leader).findFirst().orElseThrow();
      assertThatThrownBy(() -> follower.store().update(tx -> tx.create(Table.NODES, TestCluster.nodeObject("x"))))
          .isInstanceOfSatisfying(StoreException.NotLeader.class,
              e -> assertThat(e.leaderId()).isEqualTo(leader.nodeId()));
      java.util.Optional<Node> x = follower.store().view(tx -> tx.get(Table.NODES, "x"));
      assertThat(x).isEmpty();
    }
  }
}
