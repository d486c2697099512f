package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One three-member cluster shared by tests that only add objects with distinct IDs. */
class RaftReplicationTest {

  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 3);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static RaftNode aFollower() {
    RaftNode leader = cluster.leader();
    return cluster.running().stream().filter(n -> n != leader).findFirst().orElseThrow();
  }

  @Test
  void writesOnTheLeaderAreVisibleOnFollowersWithTheSameVersion() {
    cluster.createOnLeader("visible");
    cluster.awaitEverywhere("visible");
    long version = cluster.leader().store().view(tx -> tx.get(Table.NODES, "visible")).orElseThrow()
        .getMeta().getVersion().getIndex();
    for (RaftNode n : cluster.running()) {
      Node stored = n.store().view(tx -> tx.get(Table.NODES, "visible")).orElseThrow();
      assertThat(stored.getMeta().getVersion().getIndex()).isEqualTo(version);
    }
  }

  @Test
  void aTransactionNearTheByteLimitIsCommittedOnEveryMember() {
    // Just under MemoryStore.MAX_TRANSACTION_BYTES: the entry must fit Ratis' log write buffer and the
    // leader's AppendEntries batch (RatisSettings.ENTRY_BYTES_MAX).
    String big = "x".repeat(360 * 1024);
    cluster.leader().store().update(tx -> {
      for (int i = 0; i < 4; i++) {
        tx.create(Table.NODES, TestCluster.nodeObject("big-" + i).toBuilder()
            .setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().putLabels("payload", big))).build());
      }
    });
    for (RaftNode n : cluster.running()) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> n.store().view(tx -> tx.get(Table.NODES, "big-3")).isPresent());
      assertThat(n.store().view(tx -> tx.get(Table.NODES, "big-3")).orElseThrow()
          .getSpec().getAnnotations().getLabelsOrThrow("payload")).hasSize(360 * 1024);
    }
  }

  @Test
  void followerWritesFailWithNotLeaderNamingTheLeaderAndChangeNothing() {
    RaftNode leader = cluster.leader();
    RaftNode follower = aFollower();
    assertThatThrownBy(() -> follower.store().update(tx -> tx.create(Table.NODES, TestCluster.nodeObject("nope"))))
        .isInstanceOfSatisfying(StoreException.NotLeader.class,
            e -> assertThat(e.leaderId()).isEqualTo(leader.nodeId()));
    Optional<Node> nope = leader.linearizableView(tx -> tx.get(Table.NODES, "nope"));
    assertThat(nope).isEmpty();
  }

  @Test
  void anUpdateCarryingAStaleVersionIsRejected() {
    cluster.createOnLeader("stale");
    RaftNode leader = cluster.leader();
    Node read = leader.store().view(tx -> tx.get(Table.NODES, "stale")).orElseThrow();
    leader.store().update(tx -> tx.update(Table.NODES,
        read.toBuilder().setSpec(NodeSpec.newBuilder().setAvailability(NodeSpec.Availability.PAUSE)).build()));
    assertThatThrownBy(() -> leader.store().update(tx -> tx.update(Table.NODES,
        read.toBuilder().setSpec(NodeSpec.newBuilder().setAvailability(NodeSpec.Availability.DRAIN)).build())))
        .isInstanceOf(StoreException.SequenceConflict.class);
    cluster.awaitEverywhere("stale");
    for (RaftNode n : cluster.running()) {
      n.readIndex();
      Node stored = n.store().view(tx -> tx.get(Table.NODES, "stale")).orElseThrow();
      assertThat(stored.getSpec().getAvailability()).isEqualTo(NodeSpec.Availability.PAUSE);
    }
  }

  @Test
  void followersSeeWatchEventsInCommitOrderWithoutGaps() throws Exception {
    RaftNode leader = cluster.leader();
    Subscription onLeader = leader.store().watch(e -> e.kind() == StoreEvent.Kind.COMMIT
        || (e.table() == Table.NODES && e.kind() == StoreEvent.Kind.CREATE));
    List<Subscription> onFollowers = new ArrayList<>();
    for (RaftNode n : cluster.running()) {
      if (n != leader) {
        onFollowers.add(n.store().watch(e -> e.kind() == StoreEvent.Kind.COMMIT
            || (e.table() == Table.NODES && e.kind() == StoreEvent.Kind.CREATE)));
      }
    }
    int writes = 40;
    for (int i = 0; i < writes; i++) {
      String id = "watched-" + i;
      leader.store().update(tx -> tx.create(Table.NODES, TestCluster.nodeObject(id)));
    }
    List<String> expected = drain(onLeader, writes);
    assertThat(expected).hasSize(writes * 2);
    for (Subscription s : onFollowers) {
      assertThat(drain(s, writes)).isEqualTo(expected);
    }
  }

  /**
   * The next {@code creates} create/commit pairs as "create:id@version" and "commit@version", starting
   * at the first write of the test (a follower may still deliver earlier entries).
   */
  private static List<String> drain(Subscription s, int creates) throws Exception {
    List<String> seen = new ArrayList<>();
    while (seen.size() < creates * 2) {
      StoreEvent e = s.poll(Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("no event; saw " + seen));
      if (e.kind() == StoreEvent.Kind.COMMIT) {
        if (!seen.isEmpty()) {
          seen.add("commit@" + e.version());
        }
      } else {
        String id = ((Node) e.newObject()).getId();
        if (!seen.isEmpty() || id.equals("watched-0")) {
          seen.add("create:" + id + "@" + e.version());
        }
      }
    }
    s.close();
    return seen;
  }

  @Test
  void aLinearizableReadOnAFollowerSeesTheLatestAcknowledgedWrite() {
    RaftNode follower = aFollower();
    for (int i = 0; i < 5; i++) {
      String id = "linearizable-" + i;
      cluster.createOnLeader(id);
      Optional<Node> seen = follower.linearizableView(tx -> tx.get(Table.NODES, id));
      assertThat(seen).as("write %s seen right after its acknowledgement", id).isPresent();
    }
  }

  @Test
  void membersAreListedWithNodeIdsAddressesAndTheLeader() {
    RaftNode leader = cluster.leader();
    List<dev.swarmkit.api.RaftMember> members = leader.members();
    assertThat(members).hasSize(3);
    assertThat(members).extracting(dev.swarmkit.api.RaftMember::getNodeId)
        .containsExactlyInAnyOrder("node-0", "node-1", "node-2");
    assertThat(members).filteredOn(m -> m.getStatus().getLeader()).singleElement()
        .satisfies(m -> assertThat(m.getRaftId()).isEqualTo(leader.raftId()));
    assertThat(members).allSatisfy(m -> assertThat(m.getStatus().getReachability())
        .isEqualTo(dev.swarmkit.api.RaftMemberStatus.Reachability.REACHABLE));
    for (RaftNode n : cluster.running()) {
      assertThat(n.leaderId()).hasValue(leader.raftId());
    }
  }
}
