package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.RequiresDocker;
import com.github.dockerjava.api.model.Container;
import dev.swarmkit.api.Task;
import dev.swarmkit.executor.docker.TaskContainers;
import dev.swarmkit.swarmd.SwarmNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A service on three nodes that all run their tasks as containers on the one local engine. Every
 * container carries its node's ID, which is what keeps the nodes' containers apart here (and lets
 * this test ignore containers other runs left on the engine).
 */
@RequiresDocker
class DockerServiceTest extends WithDockerSwarm {

  @Test
  void aServiceRunsOneContainerPerReplicaAndServiceRmRemovesThem() throws Exception {
    SwarmNode manager = swarm.dockerSwarm(3, containers::track, null);

    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", DockerEngineCheck.TEST_IMAGE,
        "--replicas", "3", "--command", "sleep", "--args", "600");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Container> running = containers.ofService("web", false);
      assertThat(running).hasSize(3);
      Map<String, Task> tasks = TestSwarm.runningTasks(manager).stream()
          .collect(Collectors.toMap(Task::getId, t -> t));
      assertThat(tasks).hasSize(3);
      // each container is the running task its labels name, on the node its labels name
      for (Container c : running) {
        Task task = tasks.get(c.getLabels().get(TaskContainers.LABEL_TASK_ID));
        assertThat(task).as("task of container %s", c.getId()).isNotNull();
        assertThat(c.getLabels()).containsEntry(TaskContainers.LABEL_NODE_ID, task.getNodeId());
        assertThat(c.getNames()).containsExactly("/" + TaskContainers.name(task));
        assertThat(c.getCommand()).isEqualTo("sleep 600");
      }
    });
    assertThat(containers.ofService("web", false).stream()
        .map(c -> c.getLabels().get(TaskContainers.LABEL_NODE_ID)).collect(Collectors.toSet()))
        .as("the scheduler spreads the replicas").isEqualTo(containers.nodeIds());
    assertThat(swarm.swarmctlOk("node-1", "service", "ls")).contains("web", "3/3");

    swarm.swarmctlOk("node-1", "service", "rm", "web");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(containers.ofService("web", true)).isEmpty());
  }
}
