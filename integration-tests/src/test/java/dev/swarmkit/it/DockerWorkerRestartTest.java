package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.RequiresDocker;
import com.github.dockerjava.api.model.Container;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.executor.docker.TaskContainers;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A worker process that stops leaves its containers running on the engine. Started again from its
 * state dir, it adopts the containers of tasks it still owns and gets rid of those whose tasks were
 * given to other nodes meanwhile, so the engine never keeps more containers than the service wants.
 */
@RequiresDocker
class DockerWorkerRestartTest extends WithDockerSwarm {

  @Test
  void aWorkerRestartedWithinTheGracePeriodKeepsRunningTheSameContainers() throws Exception {
    SwarmNode manager = swarm.dockerSwarm(3, containers::track, null);
    createWeb();
    Map<String, String> before = await().atMost(Duration.ofSeconds(60)).until(
        () -> containerIdsByTask(), m -> m.size() == 3 && m.keySet().equals(runningTaskIds(manager)));
    SwarmNode worker = swarm.node("node-2");
    String workerId = worker.nodeId();

    swarm.stop(worker);
    assertThat(containers.ofService("web", false)).as("containers outlive the worker process").hasSize(3);
    SwarmNode restarted = swarm.restart("node-2", manager, "docker");

    assertThat(restarted.nodeId()).isEqualTo(workerId);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(nodeState(manager, workerId)).isEqualTo(NodeStatus.State.READY);
      assertThat(containerIdsByTask()).isEqualTo(before);
      assertThat(runningTaskIds(manager)).isEqualTo(before.keySet());
    });
    assertThat(tasks(manager)).hasSize(3);
  }

  @Test
  void aWorkerRestartedAfterBeingDownRemovesTheContainersOfItsReplacedTasks() throws Exception {
    SwarmNode manager = swarm.dockerSwarm(3, containers::track, "1s");
    createWeb();
    await().atMost(Duration.ofSeconds(60)).until(
        () -> containerIdsByTask(), m -> m.size() == 3 && m.keySet().equals(runningTaskIds(manager)));
    SwarmNode victim = swarm.node("node-2");
    String victimId = victim.nodeId();
    Set<String> victimTasks = tasks(manager).stream().filter(t -> t.getNodeId().equals(victimId))
        .map(Task::getId).collect(Collectors.toSet());
    assertThat(victimTasks).hasSize(1);

    swarm.stop(victim);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(nodeState(manager, victimId)).isEqualTo(NodeStatus.State.DOWN);
      List<Task> wanted = tasks(manager).stream()
          .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState() == TaskState.RUNNING)
          .toList();
      assertThat(wanted).hasSize(3).noneMatch(t -> t.getNodeId().equals(victimId));
    });
    // the down worker's container still runs next to its replacement: nobody could stop it
    assertThat(containers.ofService("web", false)).hasSize(4);

    swarm.restart("node-2", manager, "docker");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(nodeState(manager, victimId)).isEqualTo(NodeStatus.State.READY);
      List<Container> running = containers.ofService("web", false);
      assertThat(running).hasSize(3)
          .noneMatch(c -> victimTasks.contains(c.getLabels().get(TaskContainers.LABEL_TASK_ID)));
      assertThat(running.stream().map(c -> c.getLabels().get(TaskContainers.LABEL_TASK_ID))
          .collect(Collectors.toSet())).isEqualTo(runningTaskIds(manager));
    });
  }

  private void createWeb() {
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", DockerEngineCheck.TEST_IMAGE,
        "--replicas", "3", "--command", "sleep", "--args", "600");
  }

  private Map<String, String> containerIdsByTask() {
    return containers.ofService("web", false).stream()
        .collect(Collectors.toMap(c -> c.getLabels().get(TaskContainers.LABEL_TASK_ID), Container::getId));
  }

  private static Set<String> runningTaskIds(SwarmNode manager) {
    return tasks(manager).stream()
        .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState() == TaskState.RUNNING)
        .map(Task::getId).collect(Collectors.toSet());
  }

  private static List<Task> tasks(SwarmNode manager) {
    return manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
  }

  private static NodeStatus.State nodeState(SwarmNode manager, String nodeId) {
    return manager.manager().orElseThrow().store().view(tx -> tx.get(Table.NODES, nodeId))
        .orElseThrow().getStatus().getState();
  }
}
