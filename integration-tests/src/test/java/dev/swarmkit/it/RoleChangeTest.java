package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.Pem;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.manager.Manager;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmctl.SwarmctlMain;
import dev.swarmkit.swarmctl.UnixSocketChannels;
import dev.swarmkit.swarmd.SwarmNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmctl node promote/demote} on running nodes: the node obtains a certificate with its new
 * role and starts or stops its manager (joining or leaving Raft) without a restart.
 */
class RoleChangeTest {

  private static final Duration ROLE_CHANGE = Duration.ofSeconds(45);

  @TempDir Path dir;
  private TestSwarm swarm;
  private SwarmNode leader;

  @BeforeEach
  void setUp() throws Exception {
    swarm = new TestSwarm(dir);
    leader = swarm.init("node-1");
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void aPromotedWorkerGetsAManagerCertificateAndHoldsTheReplicatedStore() throws Exception {
    SwarmNode worker = joinWorker("node-2");
    assertThat(certificateRole("node-2")).isEqualTo(Roles.WORKER);

    promote(worker, "node-2");

    assertThat(worker.security().identity().role()).isEqualTo(Roles.MANAGER);
    await().atMost(ROLE_CHANGE).untilAsserted(() ->
        assertThat(nodeLsLine("node-1", "node-2")).contains("REACHABLE").doesNotContain("UNREACHABLE"));
    TestSwarm.Result create = swarm.swarmctl("node-1", "service", "create", "--name", "web",
        "--image", "local/busybox:1", "--replicas", "1");
    assertThat(create.exitCode()).as(create.err()).isZero();
    Manager promoted = worker.manager().orElseThrow();
    await().atMost(ROLE_CHANGE).untilAsserted(() ->
        assertThat(promoted.store().<java.util.List<dev.swarmkit.api.Service>>view(
            tx -> tx.find(Table.SERVICES, By.name("web")))).hasSize(1));
    // Its own control socket now serves the Control API too.
    TestSwarm.Result ls = swarm.swarmctl("node-2", "service", "ls");
    assertThat(ls.exitCode()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("web");
  }

  @Test
  void aWorkerPromotedWithoutAControlSocketFlagServesTheControlApiInsideItsStateDir() throws Exception {
    SwarmNode worker = swarm.joinWithoutControlSocketFlag("node-2", leader,
        swarm.joinToken("node-1", "Worker"));
    awaitReady(worker);
    boolean sharedSocketExisted = java.nio.file.Files.exists(Path.of("/var/run/swarmd.sock"));

    promote(worker, "node-2");

    Path socket = swarm.stateDir("node-2").resolve("swarmd.sock");
    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      TestSwarm.Result ls = swarm.swarmctlAt(socket, "node", "ls");
      assertThat(ls.exitCode()).as(ls.err()).isZero();
      assertThat(ls.out()).contains("node-2");
    });
    assertThat(java.nio.file.Files.exists(Path.of("/var/run/swarmd.sock"))).isEqualTo(sharedSocketExisted);
  }

  @Test
  void aDemotedManagerGetsAWorkerCertificateLeavesRaftAndCanBePromotedAgain() throws Exception {
    SwarmNode worker = joinWorker("node-2");
    promote(worker, "node-2");

    TestSwarm.Result demote = swarm.swarmctl("node-1", "node", "demote", "node-2");
    assertThat(demote.exitCode()).as(demote.err()).isZero();

    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      assertThat(certificateRole("node-2")).isEqualTo(Roles.WORKER);
      assertThat(worker.manager()).isEmpty();
    });
    assertThat(worker.security().identity().role()).isEqualTo(Roles.WORKER);
    assertThat(leaderManager().replication().membership().memberByNodeId(worker.nodeId())).isEmpty();
    assertThat(dir.resolve("node-2").resolve("raft-id")).doesNotExist();
    assertThat(dir.resolve("node-2").resolve("raft")).doesNotExist();
    assertThat(nodeLsLine("node-1", "node-2").stripTrailing()).endsWith("ACTIVE");
    assertThat(role(worker)).isEqualTo(NodeRole.WORKER);

    // Its Raft state is gone, so a new promotion joins as a new member.
    promote(worker, "node-2");
    assertThat(worker.manager()).isPresent();
  }

  @Test
  void theDemotedLeaderHandsOverToTheRemainingManager() throws Exception {
    SwarmNode second = joinWorker("node-2");
    promote(second, "node-2");

    TestSwarm.Result demote = swarm.swarmctl("node-1", "node", "demote", "node-1");
    assertThat(demote.exitCode()).as(demote.err()).isZero();

    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      assertThat(certificateRole("node-1")).isEqualTo(Roles.WORKER);
      assertThat(leader.manager()).isEmpty();
      assertThat(second.manager().orElseThrow().replication().isLeader()).isTrue();
    });
    assertThat(second.manager().orElseThrow().replication().membership().members())
        .extracting(m -> m.nodeId()).containsExactly(second.nodeId());
    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      assertThat(nodeLsLine("node-2", "node-1").stripTrailing()).endsWith("ACTIVE");
      assertThat(nodeLsLine("node-2", "node-2")).contains("REACHABLE *");
    });
  }

  @Test
  void demotingTheLastManagerIsRefused() throws Exception {
    awaitReady(leader);
    TestSwarm.Result demote = swarm.swarmctl("node-1", "node", "demote", "node-1");
    assertThat(demote.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
    assertThat(demote.err()).contains("attempting to demote the last manager of the swarm");

    try (UnixSocketChannels.Connection c = UnixSocketChannels.open(swarm.socketOf("node-1").toString(), false)) {
      ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(c.channel());
      Node self = control.getNode(GetNodeRequest.newBuilder().setNodeId(leader.nodeId()).build()).getNode();
      assertThatThrownBy(() -> control.updateNode(UpdateNodeRequest.newBuilder()
              .setNodeId(self.getId())
              .setNodeVersion(self.getMeta().getVersion())
              .setSpec(self.getSpec().toBuilder().setDesiredRole(NodeRole.WORKER))
              .build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).isEqualTo("attempting to demote the last manager of the swarm");
          });
    }
    assertThat(leader.manager()).isPresent();
    assertThat(leader.security().identity().role()).isEqualTo(Roles.MANAGER);
    assertThat(role(leader)).isEqualTo(NodeRole.MANAGER);
  }

  private SwarmNode joinWorker(String hostname) throws Exception {
    String inspect = swarm.swarmctl("node-1", "cluster", "inspect", "default").out();
    Matcher m = Pattern.compile("Worker: (SWMTKN-\\S+)").matcher(inspect);
    assertThat(m.find()).as("worker token in:\n" + inspect).isTrue();
    SwarmNode worker = swarm.join(hostname, leader, m.group(1));
    awaitReady(worker);
    return worker;
  }

  private void awaitReady(SwarmNode node) {
    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      java.util.Optional<Node> n = leaderManager().store().view(tx -> tx.get(Table.NODES, node.nodeId()));
      assertThat(n.map(x -> x.getStatus().getState())).contains(NodeStatus.State.READY);
    });
  }

  /** Promotes with swarmctl and waits until the node has a manager certificate and a running manager. */
  private void promote(SwarmNode node, String hostname) {
    TestSwarm.Result promote = swarm.swarmctl("node-1", "node", "promote", hostname);
    assertThat(promote.exitCode()).as(promote.err()).isZero();
    await().atMost(ROLE_CHANGE).untilAsserted(() -> {
      assertThat(certificateRole(hostname)).isEqualTo(Roles.MANAGER);
      assertThat(node.manager()).isPresent();
      assertThat(leaderManager().replication().membership().memberByNodeId(node.nodeId())).isPresent();
    });
  }

  private Manager leaderManager() {
    return leader.manager().orElseThrow();
  }

  private NodeRole role(SwarmNode node) {
    return leaderManager().store().view(tx -> tx.get(Table.NODES, node.nodeId())).orElseThrow().getRole();
  }

  /** The OU of the node certificate saved in the node's state dir. */
  private String certificateRole(String hostname) throws Exception {
    Path cert = NodeCertificateFiles.inStateDir(dir.resolve(hostname)).nodeCertPath();
    return NodeIdentity.fromCertificate(Pem.decodeCertificates(Files.readAllBytes(cert)).get(0)).role();
  }

  private String nodeLsLine(String via, String hostname) {
    TestSwarm.Result ls = swarm.swarmctl(via, "node", "ls");
    assertThat(ls.exitCode()).as(ls.err()).isZero();
    return ls.out().lines().filter(l -> l.contains(" " + hostname + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + hostname + " in:\n" + ls.out()));
  }
}
