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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's walkthrough on real nodes in one JVM: init, read tokens, join, list, create a service. */
class SwarmWalkthroughTest {

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
  void workersJoinWithTheTokenFromClusterInspectAndRunAServiceSpreadOverAllNodes() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    TestSwarm.Result inspect = swarm.swarmctl("node-1", "cluster", "inspect", "default");
    assertThat(inspect.exitCode()).as(inspect.err()).isZero();
    String workerToken = token(inspect.out(), "Worker");
    String managerToken = token(inspect.out(), "Manager");
    assertThat(workerToken).matches("SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}");
    assertThat(managerToken).isNotEqualTo(workerToken);

    swarm.join("node-2", manager, workerToken);
    swarm.join("node-3", manager, workerToken);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Node> nodes = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
      assertThat(nodes).hasSize(3).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY);
    });
    TestSwarm.Result ls = swarm.swarmctl("node-1", "node", "ls");
    assertThat(ls.exitCode()).isZero();
    assertThat(ls.out()).contains("node-1", "node-2", "node-3", "REACHABLE *");
    assertThat(ls.out().lines().filter(l -> l.contains("ACCEPTED    READY   ACTIVE")).count()).isEqualTo(3);

    TestSwarm.Result create = swarm.swarmctl("node-1", "service", "create", "--name", "web",
        "--image", "local/busybox:1", "--replicas", "9", "--command", "sleep", "--args", "600");
    assertThat(create.exitCode()).as(create.err()).isZero();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Task> running = runningTasks(manager);
      assertThat(running).hasSize(9);
      Set<String> nodesUsed = running.stream().map(Task::getNodeId).collect(Collectors.toSet());
      assertThat(nodesUsed).hasSize(3);
    });
    TestSwarm.Result services = swarm.swarmctl("node-1", "service", "ls");
    assertThat(services.out()).contains("web", "local/busybox:1", "9/9");
  }

  @Test
  void aWorkerTokenCannotBeUsedWithAMalformedSecret() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    String workerToken = token(swarm.swarmctl("node-1", "cluster", "inspect", "default").out(), "Worker");
    String forged = workerToken.substring(0, workerToken.length() - 25) + "0".repeat(25);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> swarm.join("node-2", manager, forged))
        .hasMessageContaining("token");
    List<Node> nodes = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
    assertThat(nodes).hasSize(1);
  }

  private static List<Task> runningTasks(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
  }

  private static String token(String inspectOutput, String kind) {
    Matcher m = Pattern.compile(kind + ": (SWMTKN-\\S+)").matcher(inspectOutput);
    assertThat(m.find()).as("token line in:\n" + inspectOutput).isTrue();
    return m.group(1);
  }
}
