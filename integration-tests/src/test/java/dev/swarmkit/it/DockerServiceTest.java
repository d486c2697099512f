package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.executor.docker.DockerClients;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import dev.swarmkit.executor.docker.TaskContainers;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service on three nodes that all run their tasks as containers on the one local engine. Every
 * container carries its node's ID, which is what keeps the nodes' containers apart here (and lets
 * this test ignore containers other runs left on the engine).
 */
@RequiresDocker
class DockerServiceTest {

  @TempDir Path dir;
  private TestSwarm swarm;
  private DockerClient docker;
  private final Set<String> nodeIds = new HashSet<>();

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
    docker = DockerClients.create(DockerExecutorConfig.defaults());
  }

  @AfterEach
  void tearDown() throws IOException {
    swarm.close();
    for (Container c : containersOfOurNodes(true)) {
      try {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      } catch (NotFoundException alreadyGone) {
        // removed by its node meanwhile
      }
    }
    docker.close();
  }

  @Test
  void aServiceRunsOneContainerPerReplicaAndServiceRmRemovesThem() throws Exception {
    SwarmNode manager = swarm.start("node-1", "", "", "docker");
    nodeIds.add(manager.nodeId());
    String token = swarm.joinToken("node-1", "Worker");
    String via = TestSwarm.remoteAddress(manager);
    nodeIds.add(swarm.start("node-2", via, token, "docker").nodeId());
    nodeIds.add(swarm.start("node-3", via, token, "docker").nodeId());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Node> nodes = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
      assertThat(nodes).hasSize(3).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY);
    });

    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", DockerEngineCheck.TEST_IMAGE,
        "--replicas", "3", "--command", "sleep", "--args", "600");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Container> running = webContainers(false);
      assertThat(running).hasSize(3);
      Map<String, Task> tasks = runningTasks(manager);
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
    assertThat(webContainers(false).stream().map(c -> c.getLabels().get(TaskContainers.LABEL_NODE_ID))
        .collect(Collectors.toSet())).as("the scheduler spreads the replicas").isEqualTo(nodeIds);
    assertThat(swarm.swarmctlOk("node-1", "service", "ls")).contains("web", "3/3");

    swarm.swarmctlOk("node-1", "service", "rm", "web");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(webContainers(true)).isEmpty());
  }

  private static Map<String, Task> runningTasks(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING)
        .collect(Collectors.toMap(Task::getId, t -> t));
  }

  /** Containers of service "web" created by this test's nodes (running only, unless {@code all}). */
  private List<Container> webContainers(boolean all) {
    return containersOfOurNodes(all).stream()
        .filter(c -> "web".equals(c.getLabels().get(TaskContainers.LABEL_SERVICE_NAME)))
        .toList();
  }

  private List<Container> containersOfOurNodes(boolean all) {
    return docker.listContainersCmd().withShowAll(all)
        .withLabelFilter(List.of(TaskContainers.LABEL_TASK)).exec().stream()
        .filter(c -> nodeIds.contains(c.getLabels().get(TaskContainers.LABEL_NODE_ID)))
        .toList();
  }
}
