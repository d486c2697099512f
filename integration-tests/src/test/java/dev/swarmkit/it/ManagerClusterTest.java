package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Raft-replicated managers on real nodes in one JVM: membership and roles as swarmctl shows
 * them, followers relaying to the leader, leader failover, and restarts from the state dirs.
 */
class ManagerClusterTest {

  private static final Duration LONG = Duration.ofSeconds(60);

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
  void threeManagersJoinAndNodeLsShowsRolesStatusesAndLeader() throws Exception {
    SwarmNode first = swarm.init("node-1");
    swarm.join("node-2", first, token("node-1", "Manager"));
    swarm.join("node-3", first, token("node-1", "Manager"));
    swarm.join("node-4", first, token("node-1", "Worker"));

    await().atMost(LONG).untilAsserted(() -> {
      Map<String, List<String>> rows = nodeLs("node-1");
      assertThat(rows).containsOnlyKeys("node-1", "node-2", "node-3", "node-4");
      assertThat(rows.values()).allSatisfy(row -> assertThat(row.subList(1, 4))
          .containsExactly("ACCEPTED", "READY", "ACTIVE"));
      assertThat(rows.get("node-4")).hasSize(4);
      for (String manager : List.of("node-1", "node-2", "node-3")) {
        assertThat(rows.get(manager).get(4)).isEqualTo("REACHABLE");
      }
      assertThat(rows.values().stream().filter(row -> row.contains("*"))).hasSize(1);
    });
  }

  @Test
  void swarmctlPointedAtAFollowerWorks() throws Exception {
    List<SwarmNode> managers = threeManagers();
    List<String> followers = followersOf(managers);

    TestSwarm.Result create = swarm.swarmctl(followers.get(0), "service", "create", "--name", "web",
        "--image", "local/busybox:1", "--replicas", "3");
    assertThat(create.exitCode()).as(create.err()).isZero();
    String serviceId = create.out().trim();
    assertThat(serviceId).matches("[0-9a-z]{25}");

    await().atMost(LONG).untilAsserted(() -> {
      TestSwarm.Result ls = swarm.swarmctl(followers.get(1), "service", "ls");
      assertThat(ls.exitCode()).as(ls.err()).isZero();
      assertThat(ls.out()).contains(serviceId, "web", "local/busybox:1", "3/3");
      TestSwarm.Result tasks = swarm.swarmctl(followers.get(1), "task", "ls");
      assertThat(tasks.exitCode()).as(tasks.err()).isZero();
      assertThat(tasks.out().lines().filter(l -> l.contains("web.") && l.contains("RUNNING"))).hasSize(3);
    });

    TestSwarm.Result invalid = swarm.swarmctl(followers.get(0), "service", "create", "--name", "bad!name",
        "--image", "local/busybox:1");
    assertThat(invalid.exitCode()).isNotZero();
    assertThat(invalid.err()).contains("name must be valid as a DNS name component");
    assertThat(swarm.swarmctl(followers.get(1), "service", "ls").out()).doesNotContain("bad!name");
  }

  @Test
  void leaderFailoverKeepsWorkersUpAndTasksRunning() throws Exception {
    List<SwarmNode> managers = threeManagers();
    SwarmNode leader = leaderOf(managers);
    // A shorter heartbeat than upstream's 5s so the stopped leader's node is marked down sooner.
    TestSwarm.Result heartbeat = swarm.swarmctl(hostnameOf(managers, leader), "cluster", "update", "default",
        "--heartbeat-period", "2s");
    assertThat(heartbeat.exitCode()).as(heartbeat.err()).isZero();
    SwarmNode worker1 = swarm.join("worker-1", leader, token(hostnameOf(managers, leader), "Worker"));
    SwarmNode worker2 = swarm.join("worker-2", leader, token(hostnameOf(managers, leader), "Worker"));
    Set<String> workerIds = Set.of(worker1.nodeId(), worker2.nodeId());
    await().atMost(LONG).untilAsserted(() -> assertThat(storeOf(leader).<List<Node>>view(tx -> tx.all(Table.NODES)))
        .hasSize(5).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY));

    TestSwarm.Result create = swarm.swarmctl(hostnameOf(managers, leader), "service", "create",
        "--name", "web", "--image", "local/busybox:1", "--replicas", "6");
    assertThat(create.exitCode()).as(create.err()).isZero();
    String serviceId = create.out().trim();
    await().atMost(LONG).untilAsserted(() -> assertOneRunningTaskPerSlot(storeOf(leader), serviceId, 6));

    SwarmNode survivor = managers.stream().filter(m -> m != leader).findFirst().orElseThrow();
    String survivorName = hostnameOf(managers, survivor);
    String oldLeaderName = hostnameOf(managers, leader);
    try (NodeStateRecorder recorder = new NodeStateRecorder(storeOf(survivor), workerIds)) {
      swarm.stop(leader);

      List<SwarmNode> survivors = managers.stream().filter(m -> m != leader).toList();
      await().atMost(LONG).untilAsserted(() -> {
        Map<String, List<String>> rows = nodeLs(survivorName);
        List<String> leaders = rows.entrySet().stream().filter(e -> e.getValue().contains("*"))
            .map(Map.Entry::getKey).toList();
        assertThat(leaders).hasSize(1).doesNotContain(oldLeaderName);
      });
      SwarmNode newLeader = leaderOf(survivors);

      await().atMost(LONG).untilAsserted(() -> {
        MemoryStore store = storeOf(newLeader);
        for (String id : workerIds) {
          assertThat(store.view(tx -> tx.get(Table.NODES, id)).orElseThrow().getStatus().getState())
              .isEqualTo(NodeStatus.State.READY);
        }
        assertOneRunningTaskPerSlot(store, serviceId, 6);
        assertThat(desiredRunning(store, serviceId)).noneMatch(t -> t.getNodeId().equals(leader.nodeId()));
      });
      assertThat(recorder.statesSeen()).as("worker states seen while leadership moved")
          .doesNotContain(NodeStatus.State.DOWN);
    }
  }

  @Test
  void restartedManagerKeepsItsIdentityAndData() throws Exception {
    List<SwarmNode> managers = threeManagers();
    String leaderName = hostnameOf(managers, leaderOf(managers));
    assertThat(swarm.swarmctl(leaderName, "service", "create", "--name", "web", "--image",
        "local/busybox:1", "--replicas", "2").exitCode()).isZero();
    Path secretFile = Files.writeString(dir.resolve("db-pass.txt"), "s3cret");
    TestSwarm.Result secret = swarm.swarmctl(leaderName, "secret", "create", "db-pass", "-f",
        secretFile.toString());
    assertThat(secret.exitCode()).as(secret.err()).isZero();

    SwarmNode follower = managers.stream().filter(m -> !isLeader(m)).findFirst().orElseThrow();
    String name = hostnameOf(managers, follower);
    String nodeId = follower.nodeId();
    swarm.stop(follower);
    SwarmNode restarted = swarm.restart(name);

    assertThat(restarted.nodeId()).isEqualTo(nodeId);
    await().atMost(LONG).untilAsserted(() -> {
      MemoryStore store = storeOf(restarted);
      List<Service> services = store.view(tx -> tx.all(Table.SERVICES));
      List<Secret> secrets = store.view(tx -> tx.all(Table.SECRETS));
      assertThat(services).extracting(s -> s.getSpec().getAnnotations().getName()).containsExactly("web");
      assertThat(secrets).extracting(s -> s.getSpec().getAnnotations().getName()).containsExactly("db-pass");
      assertThat(nodeLs(leaderName).get(name)).containsSubsequence("READY", "REACHABLE");
      assertThat(nodeLs(leaderName)).hasSize(3);
    });
  }

  @Test
  void aCommittedWriteSurvivesFullClusterRestart() throws Exception {
    List<SwarmNode> managers = threeManagers();
    String leaderName = hostnameOf(managers, leaderOf(managers));
    TestSwarm.Result create = swarm.swarmctl(leaderName, "service", "create", "--name", "web", "--image",
        "local/busybox:1", "--replicas", "2");
    assertThat(create.exitCode()).as(create.err()).isZero();
    String serviceId = create.out().trim();

    List<String> names = List.of("node-1", "node-2", "node-3");
    for (SwarmNode manager : managers) {
      swarm.stop(manager);
    }
    List<SwarmNode> restarted = new ArrayList<>();
    for (String name : names) {
      restarted.add(swarm.restart(name));
    }

    await().atMost(LONG).untilAsserted(() -> {
      SwarmNode leader = leaderOf(restarted);
      assertThat(storeOf(leader).<Optional<Service>>view(tx -> tx.get(Table.SERVICES, serviceId))).isPresent();
      TestSwarm.Result ls = swarm.swarmctl("node-2", "service", "ls");
      assertThat(ls.out()).contains(serviceId, "web");
    });
  }

  // --- helpers ---

  /** node-1 inits, node-2 and node-3 join with the manager token; returns them once all are members. */
  private List<SwarmNode> threeManagers() throws Exception {
    SwarmNode first = swarm.init("node-1");
    String managerToken = token("node-1", "Manager");
    List<SwarmNode> managers = List.of(first, swarm.join("node-2", first, managerToken),
        swarm.join("node-3", first, managerToken));
    await().atMost(LONG).untilAsserted(() -> {
      for (SwarmNode m : managers) {
        assertThat(m.manager().orElseThrow().replication().membership().members()).hasSize(3);
      }
      assertThat(managers.stream().filter(ManagerClusterTest::isLeader)).hasSize(1);
    });
    return managers;
  }

  private static String hostnameOf(List<SwarmNode> managers, SwarmNode node) {
    return "node-" + (managers.indexOf(node) + 1);
  }

  private static List<String> followersOf(List<SwarmNode> managers) {
    List<String> followers = new ArrayList<>();
    for (int i = 0; i < managers.size(); i++) {
      if (!isLeader(managers.get(i))) {
        followers.add("node-" + (i + 1));
      }
    }
    assertThat(followers).hasSize(managers.size() - 1);
    return followers;
  }

  private static boolean isLeader(SwarmNode node) {
    return node.manager().orElseThrow().replication().isLeader();
  }

  private static SwarmNode leaderOf(List<SwarmNode> managers) {
    await().atMost(LONG).until(() -> managers.stream().anyMatch(ManagerClusterTest::isLeader));
    return managers.stream().filter(ManagerClusterTest::isLeader).findFirst().orElseThrow();
  }

  private static MemoryStore storeOf(SwarmNode node) {
    return node.manager().orElseThrow().store();
  }

  private static List<Task> desiredRunning(MemoryStore store, String serviceId) {
    List<Task> tasks = store.view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getServiceId().equals(serviceId))
        .filter(t -> t.getDesiredState() == TaskState.RUNNING).toList();
  }

  private static void assertOneRunningTaskPerSlot(MemoryStore store, String serviceId, int replicas) {
    List<Task> desired = desiredRunning(store, serviceId);
    Map<Long, List<Task>> bySlot = desired.stream().collect(Collectors.groupingBy(Task::getSlot));
    assertThat(bySlot.keySet()).hasSize(replicas);
    assertThat(bySlot.values()).allSatisfy(tasks -> assertThat(tasks).hasSize(1));
    assertThat(desired).allMatch(t -> t.getStatus().getState() == TaskState.RUNNING);
  }

  /** Rows of {@code swarmctl node ls} by node name, each split on whitespace (ID first). */
  private Map<String, List<String>> nodeLs(String viaHostname) {
    TestSwarm.Result ls = swarm.swarmctl(viaHostname, "node", "ls");
    assertThat(ls.exitCode()).as(ls.err()).isZero();
    Map<String, List<String>> rows = new ConcurrentHashMap<>();
    ls.out().lines().skip(2).filter(l -> !l.isBlank()).forEach(line -> {
      List<String> cells = Arrays.asList(line.trim().split("\\s+"));
      rows.put(cells.get(1), withoutId(cells));
    });
    return rows;
  }

  /** Name, membership, status, availability, then manager status words if any. */
  private static List<String> withoutId(List<String> cells) {
    return List.copyOf(cells.subList(1, cells.size()));
  }

  private String token(String managerHostname, String kind) {
    TestSwarm.Result inspect = swarm.swarmctl(managerHostname, "cluster", "inspect", "default");
    assertThat(inspect.exitCode()).as(inspect.err()).isZero();
    Matcher m = Pattern.compile(kind + ": (SWMTKN-\\S+)").matcher(inspect.out());
    assertThat(m.find()).as("token line in:\n" + inspect.out()).isTrue();
    return m.group(1);
  }

  /** Records every state a set of nodes passes through in one manager's (replicated) store. */
  private static final class NodeStateRecorder implements AutoCloseable {
    private final Subscription subscription;
    private final Set<NodeStatus.State> seen = ConcurrentHashMap.newKeySet();
    private final Thread reader;

    NodeStateRecorder(MemoryStore store, Set<String> nodeIds) {
      this.subscription = store.watch(e -> e.table() == Table.NODES && e.newObject() instanceof Node n
          && nodeIds.contains(n.getId()));
      this.reader = new Thread(this::read, "node-state-recorder");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Optional<StoreEvent> event = subscription.poll(Duration.ofMillis(200));
          event.map(e -> (Node) e.newObject()).ifPresent(n -> seen.add(n.getStatus().getState()));
        }
      } catch (InterruptedException | RuntimeException stopped) {
        // closed
      }
    }

    Set<NodeStatus.State> statesSeen() {
      return Set.copyOf(seen);
    }

    @Override
    public void close() throws InterruptedException {
      reader.interrupt();
      reader.join(5_000);
      subscription.close();
    }
  }
}
