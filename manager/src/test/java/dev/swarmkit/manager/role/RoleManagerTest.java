package dev.swarmkit.manager.role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoleManagerTest {

  private final MemoryStore store = new MemoryStore();
  private final FakeRaft raft = new FakeRaft();
  private final RoleManager roles = new RoleManager(store, raft, raft::remove, Duration.ofMillis(50));

  @AfterEach
  void tearDown() {
    roles.close();
    store.close();
  }

  @Test
  void promotionSetsTheRoleToManager() {
    createNode("w1", NodeRole.WORKER, NodeRole.WORKER);
    roles.start();

    setDesiredRole("w1", NodeRole.MANAGER);

    await().atMost(Duration.ofSeconds(5)).until(() -> role("w1") == NodeRole.MANAGER);
  }

  @Test
  void demotionRemovesTheRaftMemberAndThenSetsTheRoleToWorker() {
    createNode("m1", NodeRole.MANAGER, NodeRole.MANAGER);
    createNode("m2", NodeRole.MANAGER, NodeRole.MANAGER);
    raft.add("m1", 1);
    raft.add("m2", 2);
    roles.start();

    setDesiredRole("m2", NodeRole.WORKER);

    await().atMost(Duration.ofSeconds(5)).until(() -> role("m2") == NodeRole.WORKER);
    assertThat(raft.removed).containsExactly(2L);
    assertThat(raft.memberByNodeId("m2")).isEmpty();
    assertThat(role("m1")).isEqualTo(NodeRole.MANAGER);
  }

  @Test
  void demotionWaitsWhileRemovingTheMemberWouldLoseQuorum() {
    createNode("m1", NodeRole.MANAGER, NodeRole.MANAGER);
    createNode("m2", NodeRole.MANAGER, NodeRole.MANAGER);
    raft.add("m1", 1);
    raft.add("m2", 2);
    raft.quorumSafe = false;
    roles.start();

    setDesiredRole("m2", NodeRole.WORKER);
    await().atMost(Duration.ofSeconds(5)).until(() -> raft.quorumChecks.get() >= 3);
    assertThat(role("m2")).isEqualTo(NodeRole.MANAGER);
    assertThat(raft.removed).isEmpty();

    raft.quorumSafe = true;
    await().atMost(Duration.ofSeconds(5)).until(() -> role("m2") == NodeRole.WORKER);
    assertThat(raft.removed).containsExactly(2L);
  }

  @Test
  void aRemovedNodeStillInRaftIsEvicted() {
    createNode("m1", NodeRole.MANAGER, NodeRole.MANAGER);
    raft.add("m1", 1);
    raft.add("gone", 7);
    roles.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> raft.memberByNodeId("gone").isEmpty());
    assertThat(raft.removed).containsExactly(7L);
  }

  private void createNode(String id, NodeRole role, NodeRole desired) {
    store.update(tx -> tx.create(Table.NODES, Node.newBuilder().setId(id).setRole(role)
        .setSpec(NodeSpec.newBuilder().setDesiredRole(desired)).build()));
  }

  private void setDesiredRole(String id, NodeRole desired) {
    store.update(tx -> {
      Node n = tx.get(Table.NODES, id).orElseThrow();
      tx.update(Table.NODES, n.toBuilder().setSpec(n.getSpec().toBuilder().setDesiredRole(desired)).build());
    });
  }

  private NodeRole role(String id) {
    return store.view(tx -> tx.get(Table.NODES, id)).orElseThrow().getRole();
  }

  /** Raft membership in memory: removal follows {@link #quorumSafe}. */
  private static final class FakeRaft implements RaftMembershipView {
    private final Map<String, Long> members = new ConcurrentHashMap<>();
    final List<Long> removed = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger quorumChecks = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean quorumSafe = true;

    void add(String nodeId, long raftId) {
      members.put(nodeId, raftId);
    }

    void remove(long raftId) {
      if (!members.values().remove(raftId)) {
        throw new StoreException.NotFound("raft: member unknown");
      }
      removed.add(raftId);
    }

    @Override
    public List<Member> members() {
      return members.entrySet().stream()
          .map(e -> new Member(e.getKey(), ManagerStatus.newBuilder().setRaftId(e.getValue()).build()))
          .toList();
    }

    @Override
    public boolean canRemoveMember(long raftId) {
      quorumChecks.incrementAndGet();
      return quorumSafe;
    }
  }
}
