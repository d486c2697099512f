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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that stops heartbeating is marked down and its replicas move to the other nodes; started
 * again from its state dir it comes back as the same node and shuts down the replicas it no longer
 * owns, so the service never ends up with more than one running task per slot.
 */
class WorkerFailureTest {

  private static final int REPLICAS = 9;

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
  void aStoppedWorkerGoesDownItsTasksMoveAndRestartedItRejoinsAsItselfWithoutDuplicateTasks() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    // A 1s heartbeat makes the grace period (3 periods) short; agents learn it from their heartbeats.
    swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--heartbeat-period", "1s");
    String token = swarm.joinToken("node-1", "Worker");
    swarm.join("node-2", manager, token);
    SwarmNode victim = swarm.join("node-3", manager, token);
    swarm.join("node-4", manager, token);
    String victimId = victim.nodeId();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(nodes(manager)).hasSize(4).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY));

    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", Integer.toString(REPLICAS), "--command", "sleep", "--args", "600");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Task> running = desiredAndObservedRunning(manager);
      assertOneRunningTaskPerSlot(running);
      assertThat(running.stream().map(Task::getNodeId).collect(Collectors.toSet())).hasSize(4);
    });
    Set<String> victimTasks = desiredAndObservedRunning(manager).stream()
        .filter(t -> t.getNodeId().equals(victimId)).map(Task::getId).collect(Collectors.toSet());
    assertThat(victimTasks).isNotEmpty();

    swarm.stop(victim);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(node(manager, victimId).getStatus().getState()).isEqualTo(NodeStatus.State.DOWN));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Task> running = desiredAndObservedRunning(manager);
      assertOneRunningTaskPerSlot(running);
      assertThat(running).noneMatch(t -> t.getNodeId().equals(victimId));
    });
    // The down node's replicas are only told to shut down; nobody can confirm it while it is away.
    assertThat(tasks(manager)).filteredOn(t -> victimTasks.contains(t.getId()))
        .allMatch(t -> t.getDesiredState().getNumber() > TaskState.RUNNING.getNumber());

    SwarmNode restarted = swarm.restart("node-3", manager, "simulated");

    assertThat(restarted.nodeId()).isEqualTo(victimId);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(nodes(manager)).hasSize(4);
      assertThat(node(manager, victimId).getStatus().getState()).isEqualTo(NodeStatus.State.READY);
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Task> all = tasks(manager);
      List<Task> wanted = all.stream()
          .filter(t -> t.getDesiredState().getNumber() <= TaskState.RUNNING.getNumber()).toList();
      assertOneRunningTaskPerSlot(wanted);
      assertThat(wanted).allMatch(t -> t.getStatus().getState() == TaskState.RUNNING);
      // the restarted worker stopped the replicas that were replaced while it was down
      assertThat(all).filteredOn(t -> victimTasks.contains(t.getId()))
          .hasSize(victimTasks.size())
          .allMatch(t -> t.getStatus().getState().getNumber() > TaskState.RUNNING.getNumber());
      assertThat(all).filteredOn(t -> t.getStatus().getState() == TaskState.RUNNING).hasSize(REPLICAS);
    });
  }

  private static void assertOneRunningTaskPerSlot(List<Task> tasks) {
    Map<Long, Long> perSlot = tasks.stream().collect(Collectors.groupingBy(Task::getSlot, Collectors.counting()));
    assertThat(perSlot.keySet())
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, REPLICAS).boxed().toList());
    assertThat(perSlot.values()).allMatch(n -> n == 1);
  }

  private static List<Task> desiredAndObservedRunning(SwarmNode manager) {
    return tasks(manager).stream()
        .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState() == TaskState.RUNNING)
        .toList();
  }

  private static List<Task> tasks(SwarmNode manager) {
    return manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
  }

  private static List<Node> nodes(SwarmNode manager) {
    return manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
  }

  private static Node node(SwarmNode manager, String id) {
    return manager.manager().orElseThrow().store().view(tx -> tx.get(Table.NODES, id)).orElseThrow();
  }
}
