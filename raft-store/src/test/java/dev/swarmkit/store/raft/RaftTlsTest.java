package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftTlsTest {

  @TempDir Path dir;

  @Test
  void membersReplicateOverMutualTlsAndAMemberWithAForeignCertificateIsShutOut() throws Exception {
    TestCertificates swarmCa = new TestCertificates("swarm-ca");
    try (TestCluster c = TestCluster.start(dir, 3,
        config -> withTls(config, swarmCa).withProposeTimeout(Duration.ofSeconds(4)))) {
      c.createOnLeader("secure");
      c.awaitEverywhere("secure");

      TestCertificates otherCa = new TestCertificates("other-ca");
      RaftConfig intruder = RaftConfig.defaults(dir.resolve("intruder"), RaftConfig.newRaftId(), "intruder",
              "127.0.0.1:" + TestCluster.freePort())
          .withTimeouts(TestCluster.HEARTBEAT, TestCluster.ELECTION_MIN, TestCluster.ELECTION_MAX)
          .withProposeTimeout(Duration.ofSeconds(3))
          .withTls(otherCa.memberTls("intruder"));
      try (RaftNode stranger = RaftNode.join(intruder, MemoryStore.Options.defaults())) {
        RaftNode leader = c.leader();
        assertThatThrownBy(() -> leader.addMember(intruder.raftId(), intruder.nodeId(), intruder.advertiseAddress()))
            .isInstanceOf(StoreException.class);
        int strangerNodes = stranger.store().view(tx -> tx.all(Table.NODES).size());
        assertThat(strangerNodes).isZero();
      }
    }
  }

  private static RaftConfig withTls(RaftConfig config, TestCertificates ca) {
    try {
      return config.withTls(ca.memberTls(config.nodeId()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
