package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes join a three-manager swarm, and renew, through a follower: the follower relays certificate
 * requests (and Raft joins) to the leader as the original caller, so the leader issues them for a new
 * node or the renewing one, never for the relaying follower.
 */
class JoinThroughFollowerTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void aWorkerJoinsThroughAFollowerAndBecomesReady() throws Exception {
    List<SwarmNode> managers = threeManagers();
    SwarmNode follower = follower(managers);
    SwarmNode leader = leaderOf(managers);

    SwarmNode worker = swarm.join("worker-1", follower, swarm.joinToken("node-1", "Worker"));

    assertThat(managers).extracting(SwarmNode::nodeId).doesNotContain(worker.nodeId());
    await().atMost(LONG).untilAsserted(() -> {
      Optional<Node> node = storeOf(leader).view(tx -> tx.get(Table.NODES, worker.nodeId()));
      assertThat(node).isPresent();
      assertThat(node.get().getRole()).isEqualTo(NodeRole.WORKER);
      assertThat(node.get().getStatus().getState()).isEqualTo(NodeStatus.State.READY);
    });
    // the relaying follower is still the manager it was
    Node followerNode = storeOf(leader).view(tx -> tx.get(Table.NODES, follower.nodeId())).orElseThrow();
    assertThat(followerNode.getRole()).isEqualTo(NodeRole.MANAGER);
    assertThat(storeOf(leader).<List<Node>>view(tx -> tx.all(Table.NODES))).hasSize(4);
  }

  @Test
  void aWorkerRenewsItsCertificateThroughAFollowerAsItself() throws Exception {
    List<SwarmNode> managers = threeManagers();
    SwarmNode follower = follower(managers);
    SwarmNode leader = leaderOf(managers);
    SwarmNode worker = swarm.join("worker-1", leader, swarm.joinToken("node-1", "Worker"));
    byte[] followerCert = storeOf(leader).view(tx -> tx.get(Table.NODES, follower.nodeId())).orElseThrow()
        .getCertificate().getCertificate().toByteArray();
    byte[] firstCert = worker.security().certificatePem();

    NodeIdentity renewed = new CertificateRequester().renew(worker.security(),
        new InetSocketAddress("127.0.0.1", follower.manager().orElseThrow().remotePort()), null);

    assertThat(renewed).isEqualTo(new NodeIdentity(worker.nodeId(), Roles.WORKER, worker.security().identity().clusterId()));
    assertThat(worker.security().certificatePem()).isNotEqualTo(firstCert);
    await().atMost(LONG).untilAsserted(() -> assertThat(storeOf(leader)
        .view(tx -> tx.get(Table.NODES, worker.nodeId())).orElseThrow().getCertificate().getCertificate()
        .toByteArray()).isEqualTo(worker.security().certificatePem()));
    assertThat(storeOf(leader).view(tx -> tx.get(Table.NODES, follower.nodeId())).orElseThrow()
        .getCertificate().getCertificate().toByteArray()).isEqualTo(followerCert);
  }

  @Test
  void aManagerJoinsThroughAFollowerAndBecomesAMember() throws Exception {
    List<SwarmNode> managers = threeManagers();
    SwarmNode follower = follower(managers);
    SwarmNode leader = leaderOf(managers);

    SwarmNode fourth = swarm.join("node-4", follower, swarm.joinToken("node-1", "Manager"));

    await().atMost(LONG).untilAsserted(() -> {
      assertThat(fourth.manager()).isPresent();
      // a member of its own, not a re-join of the relaying follower
      assertThat(leader.manager().orElseThrow().replication().membership().members())
          .extracting(m -> m.nodeId())
          .containsExactlyInAnyOrderElementsOf(List.of(managers.get(0).nodeId(), managers.get(1).nodeId(),
              managers.get(2).nodeId(), fourth.nodeId()));
      Optional<Node> node = storeOf(leader).view(tx -> tx.get(Table.NODES, fourth.nodeId()));
      assertThat(node).isPresent();
      assertThat(node.get().getRole()).isEqualTo(NodeRole.MANAGER);
      assertThat(node.get().getStatus().getState()).isEqualTo(NodeStatus.State.READY);
    });
  }

  /** node-1 inits, node-2 and node-3 join with the manager token; returns them once one leads all three. */
  private List<SwarmNode> threeManagers() throws Exception {
    SwarmNode first = swarm.init("node-1");
    String managerToken = swarm.joinToken("node-1", "Manager");
    List<SwarmNode> managers = List.of(first, swarm.join("node-2", first, managerToken),
        swarm.join("node-3", first, managerToken));
    await().atMost(LONG).untilAsserted(() -> {
      for (SwarmNode m : managers) {
        assertThat(m.manager().orElseThrow().replication().membership().members()).hasSize(3);
      }
      assertThat(managers.stream().filter(JoinThroughFollowerTest::isLeader)).hasSize(1);
    });
    return managers;
  }

  private static SwarmNode follower(List<SwarmNode> managers) {
    return managers.stream().filter(m -> !isLeader(m)).findFirst().orElseThrow();
  }

  private static SwarmNode leaderOf(List<SwarmNode> managers) {
    return managers.stream().filter(JoinThroughFollowerTest::isLeader).findFirst().orElseThrow();
  }

  private static boolean isLeader(SwarmNode node) {
    return node.manager().orElseThrow().replication().isLeader();
  }

  private static MemoryStore storeOf(SwarmNode node) {
    return node.manager().orElseThrow().store();
  }
}
