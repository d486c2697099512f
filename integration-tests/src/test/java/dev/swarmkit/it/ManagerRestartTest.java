package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The only manager of a swarm restarts from its state dir: it resumes the cluster from its Raft log,
 * its workers reconnect to it on their own, and the service keeps the very tasks it had.
 */
class ManagerRestartTest {

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
  void workersReconnectToTheRestartedManagerAndTheServiceKeepsItsTasks() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    // Simulated containers live in their node's process; keep tasks off the node that restarts.
    swarm.swarmctlUpdate("node-1", "node", "drain", manager.nodeId());
    String token = swarm.joinToken("node-1", "Worker");
    swarm.join("node-2", manager, token);
    swarm.join("node-3", manager, token);
    TestSwarm.awaitReady(manager, 3);
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "6", "--command", "sleep", "--args", "600");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(runningTaskIds(manager)).hasSize(6));
    Set<String> tasksBefore = runningTaskIds(manager);
    String clusterBefore = swarm.swarmctlOk("node-1", "cluster", "ls");
    String managerId = manager.nodeId();

    swarm.stop(manager);
    Instant restartedAt = Instant.now();
    SwarmNode restarted = swarm.restartAsBefore("node-1");

    assertThat(restarted.nodeId()).isEqualTo(managerId);
    // READY written after the restart: the restarted dispatcher registered the node again
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Node> nodes = restarted.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
      assertThat(nodes).hasSize(3).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY
          && updatedAt(n).isAfter(restartedAt));
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Task> tasks = restarted.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
      assertThat(tasks.stream().map(Task::getId).collect(Collectors.toSet())).as(describe(tasks))
          .isEqualTo(tasksBefore);
      assertThat(runningTaskIds(restarted)).isEqualTo(tasksBefore);
    });
    assertThat(swarm.swarmctlOk("node-1", "cluster", "ls")).isEqualTo(clusterBefore);
    assertThat(swarm.swarmctlOk("node-1", "service", "ls")).contains("web", "6/6");
    assertThat(tasksBefore).noneMatch(id -> taskNode(restarted, id).equals(managerId));

    // Each worker takes one of two new replicas, which only a reconnected agent can start.
    swarm.swarmctlUpdate("node-1", "service", "update", "web", "--replicas", "8");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Task> tasks = restarted.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
      List<Task> running = tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
      assertThat(running).hasSize(8);
      assertThat(running.stream().collect(Collectors.groupingBy(Task::getNodeId, Collectors.counting())))
          .hasSize(2).allSatisfy((node, count) -> assertThat(count).isEqualTo(4L));
    });
  }

  private static String describe(List<Task> tasks) {
    return tasks.stream().map(t -> t.getId() + " slot=" + t.getSlot() + " node=" + t.getNodeId() + " desired="
        + t.getDesiredState() + " state=" + t.getStatus().getState() + " msg=" + t.getStatus().getMessage()
        + " err=" + t.getStatus().getErr()).collect(Collectors.joining("\n", "tasks:\n", "\n"));
  }

  private static String taskNode(SwarmNode manager, String taskId) {
    return manager.manager().orElseThrow().store().view(tx -> tx.get(Table.TASKS, taskId)).orElseThrow().getNodeId();
  }

  private static Instant updatedAt(Node node) {
    var t = node.getMeta().getUpdatedAt();
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static Set<String> runningTaskIds(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream()
        .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState() == TaskState.RUNNING)
        .map(Task::getId).collect(Collectors.toSet());
  }
}
