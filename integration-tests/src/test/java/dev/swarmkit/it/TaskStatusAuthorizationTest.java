package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.JoinRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.RaftMembershipGrpc;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SessionRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateTaskStatusRequest;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote API trusts a worker only with what its certificate names: its own tasks, and only the
 * methods whose {@code tls_authorization} lists the worker role. Calls are made with a worker's real
 * certificate and key, read from its state dir, over mutual TLS.
 */
class TaskStatusAuthorizationTest {

  @TempDir Path dir;
  private TestSwarm swarm;
  private SwarmNode manager;
  private SwarmNode workerA;
  private SwarmNode workerB;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    swarm = new TestSwarm(dir);
    manager = swarm.init("node-1");
    String token = swarm.joinToken("node-1", "Worker");
    workerA = swarm.join("node-2", manager, token);
    workerB = swarm.join("node-3", manager, token);
    TestSwarm.awaitReady(manager, 3);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    swarm.close();
  }

  @Test
  void aWorkerCannotUpdateTheStatusOfATaskAssignedToAnotherNode() throws Exception {
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "6", "--command", "sleep", "--args", "600");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(runningOn(workerA)).isNotEmpty();
      assertThat(runningOn(workerB)).isNotEmpty();
    });
    // A's agent would replace the session opened below with its own; stop it and act as A by hand.
    String nodeA = workerA.nodeId();
    swarm.stop(workerA);
    Task ownTask = runningOn(nodeA).get(0);
    Task foreignTask = runningOn(workerB.nodeId()).get(0);

    channel = channelAs("node-2");
    DispatcherGrpc.DispatcherBlockingStub dispatcher = DispatcherGrpc.newBlockingStub(channel);
    Iterator<SessionMessage> session = dispatcher.withDeadlineAfter(60, TimeUnit.SECONDS)
        .session(SessionRequest.getDefaultInstance());
    String sessionId = session.next().getSessionId();
    assertThat(sessionId).isNotEmpty();

    TaskStatus failed = TaskStatus.newBuilder().setState(TaskState.FAILED).setMessage("forged by A").build();
    assertThatThrownBy(() -> dispatcher.updateTaskStatus(UpdateTaskStatusRequest.newBuilder()
            .setSessionId(sessionId).addUpdates(update(foreignTask, failed)).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    // A request mixing A's own task with B's is refused whole: A's task is not failed either.
    assertThatThrownBy(() -> dispatcher.updateTaskStatus(UpdateTaskStatusRequest.newBuilder()
            .setSessionId(sessionId).addUpdates(update(ownTask, failed)).addUpdates(update(foreignTask, failed))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

    // A's report about its own task goes through; once it is applied, anything applied before is too.
    TaskStatus probe = ownTask.getStatus().toBuilder().setMessage("probe from A").build();
    dispatcher.updateTaskStatus(UpdateTaskStatusRequest.newBuilder()
        .setSessionId(sessionId).addUpdates(update(ownTask, probe)).build());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(task(ownTask.getId()).getStatus().getMessage()).isEqualTo("probe from A"));
    assertThat(task(ownTask.getId()).getStatus().getState()).isEqualTo(TaskState.RUNNING);
    assertThat(task(foreignTask.getId())).isEqualTo(foreignTask);
  }

  @Test
  void aWorkerCertificateCannotCallManagerOnlyMethodsOfTheRemoteApi() throws Exception {
    channel = channelAs("node-2");

    assertThatThrownBy(() -> CAGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("swarm-manager");
        });
    // Raft membership is served on the remote API for managers joining; a worker may not join Raft.
    assertThatThrownBy(() -> RaftMembershipGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .join(JoinRequest.newBuilder().setAddr("127.0.0.1:1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(swarm.swarmctlOk("node-1", "node", "ls").lines()
        .filter(l -> l.contains("REACHABLE")).count()).as("raft members").isEqualTo(1);
    // Control is served on the remote API for managers (followers relay through it) and Health too.
    assertThatThrownBy(() -> ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .listNodes(ListNodesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

    // The same method with the manager's own certificate is allowed: the role is what was refused.
    ManagedChannel asManager = channelAs("node-1");
    try {
      assertThat(CAGrpc.newBlockingStub(asManager).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).hasVersion()).isTrue();
      assertThat(HealthGrpc.newBlockingStub(asManager).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      assertThat(ControlGrpc.newBlockingStub(asManager).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount()).isEqualTo(3);
    } finally {
      asManager.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aForceRemovedWorkerIsRefusedAndItsTasksMoveToTheRemainingNodes() throws Exception {
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "6", "--command", "sleep", "--args", "600");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runningOn(workerA)).isNotEmpty());
    String nodeA = workerA.nodeId();

    TestSwarm.Result notDown = swarm.swarmctl("node-1", "node", "rm", nodeA);
    assertThat(notDown.exitCode()).isNotZero();
    assertThat(notDown.err()).contains("down");
    swarm.swarmctlOk("node-1", "node", "rm", "--force", nodeA);

    // A's agent keeps running and reconnecting; its certificate no longer opens a session.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
      assertThat(tasks).filteredOn(t -> t.getDesiredState() == TaskState.RUNNING
              && t.getStatus().getState() == TaskState.RUNNING)
          .hasSize(6).noneMatch(t -> t.getNodeId().equals(nodeA));
    });
    channel = channelAs("node-2");
    assertThatThrownBy(() -> DispatcherGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .session(SessionRequest.getDefaultInstance()).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("removed");
        });
    Optional<Node> removed = manager.manager().orElseThrow().store().view(tx -> tx.get(Table.NODES, nodeA));
    assertThat(removed).as("a removed node is not registered again").isEmpty();
  }

  private ManagedChannel channelAs(String hostname) throws Exception {
    SecurityConfig identity = NodeCertificateFiles.inStateDir(swarm.stateDir(hostname)).load();
    return SecureChannels.toManager(identity,
        new InetSocketAddress("127.0.0.1", manager.manager().orElseThrow().remotePort()));
  }

  private static UpdateTaskStatusRequest.TaskStatusUpdate update(Task task, TaskStatus status) {
    return UpdateTaskStatusRequest.TaskStatusUpdate.newBuilder().setTaskId(task.getId()).setStatus(status).build();
  }

  private List<Task> runningOn(SwarmNode node) {
    return runningOn(node.nodeId());
  }

  private List<Task> runningOn(String nodeId) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream()
        .filter(t -> t.getNodeId().equals(nodeId) && t.getStatus().getState() == TaskState.RUNNING)
        .toList();
  }

  private Task task(String id) {
    return manager.manager().orElseThrow().store().view(tx -> tx.get(Table.TASKS, id)).orElseThrow();
  }
}
