package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.RequiresDocker;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Task;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code swarmctl service logs} gathers what the service's containers printed, from every node that
 * runs one: the manager's log broker asks each node's agent, which reads its containers' logs.
 */
@RequiresDocker
class ServiceLogsTest extends WithDockerSwarm {

  @Test
  void serviceLogsPrintsEachTasksOutputPrefixedWithItsTaskAndNode() throws Exception {
    SwarmNode manager = swarm.dockerSwarm(3, containers::track, null);
    // SLOT is a template the executor expands per task; the shell in the container prints it.
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", DockerEngineCheck.TEST_IMAGE,
        "--replicas", "3", "--env", "SLOT={{.Task.Slot}}", "--command", "sh",
        "--args=-c,echo hello from slot $SLOT; exec sleep 600");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(TestSwarm.runningTasks(manager)).hasSize(3));
    List<Task> tasks = TestSwarm.runningTasks(manager);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      TestSwarm.Result logs = swarm.swarmctl("node-1", "service", "logs", "web");
      assertThat(logs.exitCode()).as(logs.err()).isZero();
      for (Task t : tasks) {
        String line = "web." + t.getSlot() + "@" + hostname(manager, t.getNodeId()) + "❯ hello from slot "
            + t.getSlot();
        assertThat(logs.out().lines()).as(logs.out()).containsOnlyOnce(line);
      }
      assertThat(logs.out().lines()).hasSize(3);
    });
  }

  private static String hostname(SwarmNode manager, String nodeId) {
    Node node = manager.manager().orElseThrow().store().view(tx -> tx.get(Table.NODES, nodeId)).orElseThrow();
    return node.getDescription().getHostname();
  }
}
