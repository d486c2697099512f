package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.agent.Agent;
import dev.swarmkit.agent.AgentConfig;
import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 in CI's size: 200 worker agents (each with its own node ID, a certificate from the CA
 * through the join token, a session, heartbeats and status reports) against three Raft managers,
 * all in this JVM. Neither the managers nor the agents may spend a thread per node or per task.
 */
class ScaleTest {

  @TempDir Path dir;
  private TestSwarm swarm;
  private final List<Agent> agents = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void tearDown() {
    agents.parallelStream().forEach(Agent::close);
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  void twoHundredAgentsRunAThousandTasksOnThreeManagersWithoutAThreadPerNodeOrTask() throws Exception {
    swarm = new TestSwarm(dir);
    SwarmNode first = swarm.init("m1");
    String managerToken = swarm.joinToken("m1", "Manager");
    List<SwarmNode> managers = List.of(first, swarm.join("m2", first, managerToken),
        swarm.join("m3", first, managerToken));
    TestSwarm.awaitReady(first, 3);
    for (SwarmNode m : managers) {
      swarm.swarmctlUpdate("m1", "node", "drain", m.nodeId());
    }
    List<String> seeds = managers.stream().map(TestSwarm::remoteAddress).toList();
    String token = swarm.joinToken("m1", "Worker");

    startAgents(0, 100, seeds, token);
    awaitReadyNodes(first, 103);
    int threadsAt100 = settledThreadCount();
    java.util.Map<String, Long> namesAt100 = threadNames();
    startAgents(100, 200, seeds, token);
    awaitReadyNodes(first, 203);
    int threadsAt200 = settledThreadCount();
    java.util.Map<String, Long> namesAt200 = threadNames();

    swarm.swarmctlOk("m1", "service", "create", "--name", "scale", "--image", "sim:1", "--replicas", "1000");
    await().atMost(Duration.ofSeconds(90)).until(() -> running(first).size() == 1000);

    List<Task> running = running(first);
    assertThat(running.stream().map(Task::getSlot).distinct().count()).isEqualTo(1000);
    assertThat(running.stream().map(Task::getNodeId).collect(Collectors.toSet()))
        .as("tasks spread over the workers, none on the drained managers")
        .hasSize(200).doesNotContainAnyElementsOf(managers.stream().map(SwarmNode::nodeId).toList());
    List<Node> nodes = first.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
    assertThat(nodes).hasSize(203).allSatisfy(n -> assertThat(n.getStatus().getState()).isEqualTo(NodeStatus.State.READY));
    // Before issue 12 each agent held ~6 threads and the dispatcher 2 per connected node: another
    // 100 nodes cost ~800 threads. Now an agent keeps only its event loop ("agent"); the managers
    // add none, and the shared pools' transient workers may differ a little.
    assertThat(namesAt200.get("agent") - namesAt100.get("agent")).isEqualTo(100);
    assertThat(threadsAt200 - threadsAt100 - 100)
        .as("threads added by 100 more nodes besides their agents' event loops (JVM: 3 managers and the agents)")
        .withFailMessage("threads grew from %d to %d: by name %s -> %s", threadsAt100, threadsAt200, namesAt100,
            namesAt200)
        .isLessThan(60);
    // Starting 1000 tasks may take operation threads for a while (they end after 10 s idle); the
    // running tasks themselves hold none.
    int[] threadsRunning = new int[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      threadsRunning[0] = settledThreadCount();
      assertThat(threadsRunning[0] - threadsAt200).as("threads added by 1000 running tasks").isLessThan(60);
    });
  }

  private void startAgents(int from, int to, List<String> seeds, String token) throws Exception {
    ExecutorService joins = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> started = new ArrayList<>();
      for (int i = from; i < to; i++) {
        String name = "w" + i;
        started.add(joins.submit(() -> {
          Path state = Files.createDirectories(dir.resolve(name));
          String via = seeds.get(name.hashCode() % seeds.size() < 0 ? 0 : name.hashCode() % seeds.size());
          SecurityConfig security = new CertificateRequester().join(address(via), token,
              NodeSpec.Availability.ACTIVE, NodeCertificateFiles.inStateDir(state));
          Agent agent = new Agent(AgentConfig.of(state, () -> seeds, new SimulatedExecutor(name),
              address -> SecureChannels.toManager(security, address(address)), List.of()).withSyncWrites(false));
          agent.start();
          agents.add(agent);
          return null;
        }));
      }
      for (Future<?> f : started) {
        f.get();
      }
    } finally {
      joins.shutdown();
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void awaitReadyNodes(SwarmNode manager, int count) {
    await().atMost(Duration.ofSeconds(90)).until(() -> manager.manager().orElseThrow().store()
        .view(tx -> tx.all(Table.NODES)).stream()
        .filter(n -> n.getStatus().getState() == NodeStatus.State.READY).count() == count);
  }

  private static List<Task> running(SwarmNode manager) {
    return TestSwarm.runningTasks(manager).stream().filter(t -> t.getDesiredState() == TaskState.RUNNING).toList();
  }

  /** Live threads by name without digits, for a failure message. */
  private static java.util.Map<String, Long> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().collect(Collectors.groupingBy(
        t -> t.getName().replaceAll("[0-9]+", "#"), java.util.TreeMap::new, Collectors.counting()));
  }

  /** The JVM's live threads once the burst of joins has settled (the lowest of a few samples). */
  private static int settledThreadCount() throws InterruptedException {
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      min = Math.min(min, ManagementFactory.getThreadMXBean().getThreadCount());
      Thread.sleep(400);
    }
    return min;
  }
}
