package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.pendingTask;
import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static dev.swarmkit.scheduler.Fixtures.runningOn;
import static dev.swarmkit.scheduler.Fixtures.withLabel;
import static dev.swarmkit.scheduler.Fixtures.withReservations;
import static dev.swarmkit.scheduler.Fixtures.withResources;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.PlacementPreference;
import dev.swarmkit.api.SpreadOver;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupPlacerTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final NodeSet nodes = new NodeSet();
  private final Pipeline pipeline = new Pipeline();
  private final GroupPlacer placer = new GroupPlacer(nodes, pipeline, Clock.fixed(NOW, ZoneOffset.UTC));

  private void addNode(Node.Builder n, Task... running) {
    nodes.put(new NodeInfo(n.build(), List.of(running)));
  }

  private ArrayDeque<Task> tasks(int count, String service, UnaryOperator<Task.Builder> shape) {
    ArrayDeque<Task> group = new ArrayDeque<>();
    IntStream.range(0, count).forEach(i -> group.add(shape.apply(pendingTask(service + "-t" + i, service)).build()));
    return group;
  }

  private Map<String, Long> place(ArrayDeque<Task> group) {
    Map<String, Decision> decisions = new LinkedHashMap<>();
    placer.place(group, decisions);
    return decisions.values().stream().collect(groupingBy(d -> d.newTask().getNodeId(), counting()));
  }

  @Test
  void spreadsTasksEvenlyOverEmptyNodes() {
    addNode(readyNode("a"));
    addNode(readyNode("b"));
    addNode(readyNode("c"));

    assertThat(place(tasks(7, "svc", t -> t))).containsOnly(
        Map.entry("a", 3L), Map.entry("b", 2L), Map.entry("c", 2L));
  }

  @Test
  void assignedTasksCarryNodeStateAndMessage() {
    addNode(readyNode("a"));
    Map<String, Decision> decisions = new LinkedHashMap<>();

    placer.place(tasks(1, "svc", t -> t), decisions);

    Task assigned = decisions.get("svc-t0").newTask();
    assertThat(assigned.getNodeId()).isEqualTo("a");
    assertThat(assigned.getStatus().getState()).isEqualTo(TaskState.ASSIGNED);
    assertThat(assigned.getStatus().getMessage()).isEqualTo("scheduler assigned task to node");
    assertThat(assigned.getStatus().getTimestamp().getSeconds()).isEqualTo(NOW.getEpochSecond());
  }

  @Test
  void fillsNodesWithFewestTasksOfTheServiceFirst() {
    addNode(readyNode("a"), runningOn(pendingTask("r1", "svc"), "a"), runningOn(pendingTask("r2", "svc"), "a"));
    addNode(readyNode("b"));
    addNode(readyNode("c"), runningOn(pendingTask("r3", "svc"), "c"));

    assertThat(place(tasks(3, "svc", t -> t))).containsOnly(Map.entry("b", 2L), Map.entry("c", 1L));
  }

  @Test
  void totalActiveTasksBreakTiesBetweenServices() {
    addNode(readyNode("busy"), runningOn(pendingTask("o1", "other"), "busy"), runningOn(pendingTask("o2", "other"), "busy"));
    addNode(readyNode("idle"));

    assertThat(place(tasks(1, "svc", t -> t))).containsOnly(Map.entry("idle", 1L));
  }

  @Test
  void tasksShuttingDownDoNotCount() {
    Task leaving = runningOn(pendingTask("old", "svc").setDesiredState(TaskState.SHUTDOWN), "a");
    addNode(readyNode("a"), leaving);
    addNode(readyNode("b"), runningOn(pendingTask("o", "other"), "b"));

    assertThat(place(tasks(1, "svc", t -> t))).containsOnly(Map.entry("a", 1L));
  }

  @Test
  void stopsAtCapacityAndExplainsWhy() {
    addNode(withResources(readyNode("a"), 2_000_000_000L, 1L << 30));
    addNode(withResources(readyNode("b"), 1_000_000_000L, 1L << 30));
    Node.Builder down = withResources(readyNode("down"), 8_000_000_000L, 1L << 30);
    down.getStatusBuilder().setState(NodeStatus.State.DOWN);
    addNode(down);
    ArrayDeque<Task> group = tasks(5, "svc", t -> withReservations(t, 1_000_000_000L, 0));

    assertThat(place(group)).containsOnly(Map.entry("a", 2L), Map.entry("b", 1L));
    assertThat(group).hasSize(2);
    // As upstream, a node that fits resets the counts, so only the failures after the last fit remain.
    assertThat(pipeline.explain()).isEqualTo("insufficient resources on 2 nodes");
  }

  @Test
  void spreadPreferenceBalancesLabelValuesNotNodes() {
    addNode(withLabel(readyNode("east1"), "zone", "east"));
    addNode(withLabel(readyNode("west1"), "zone", "west"));
    addNode(withLabel(readyNode("west2"), "zone", "west"));
    addNode(withLabel(readyNode("west3"), "zone", "west"));

    Map<String, Long> placed = place(tasks(8, "svc", t -> spread(t, "node.labels.zone")));

    assertThat(placed.get("east1")).isEqualTo(4L);
    assertThat(placed.get("west1") + placed.get("west2") + placed.get("west3")).isEqualTo(4L);
  }

  @Test
  void spreadPreferenceAccountsForTasksAlreadyRunning() {
    addNode(withLabel(readyNode("east1"), "zone", "east"),
        runningOn(pendingTask("r1", "svc"), "east1"), runningOn(pendingTask("r2", "svc"), "east1"));
    addNode(withLabel(readyNode("west1"), "zone", "west"));

    assertThat(place(tasks(4, "svc", t -> spread(t, "node.labels.zone"))))
        .containsOnly(Map.entry("east1", 1L), Map.entry("west1", 3L));
  }

  @Test
  void nestedPreferencesSpreadAtEveryLevel() {
    addNode(withLabel(withLabel(readyNode("e-r1-a"), "zone", "east"), "rack", "r1"));
    addNode(withLabel(withLabel(readyNode("e-r1-b"), "zone", "east"), "rack", "r1"));
    addNode(withLabel(withLabel(readyNode("e-r2-a"), "zone", "east"), "rack", "r2"));
    addNode(withLabel(withLabel(readyNode("w-r3-a"), "zone", "west"), "rack", "r3"));

    Map<String, Long> placed = place(tasks(8, "svc", t -> spread(spread(t, "node.labels.zone"), "node.labels.rack")));

    assertThat(placed.get("w-r3-a")).isEqualTo(4L);
    assertThat(placed.get("e-r2-a")).isEqualTo(2L);
    assertThat(placed.get("e-r1-a") + placed.get("e-r1-b")).isEqualTo(2L);
  }

  @Test
  void fullBranchLetsTheOthersTakeTheRest() {
    addNode(withResources(withLabel(readyNode("east1"), "zone", "east"), 1_000_000_000L, 1L << 30));
    addNode(withResources(withLabel(readyNode("west1"), "zone", "west"), 8_000_000_000L, 1L << 30));

    assertThat(place(tasks(4, "svc", t -> spread(withReservations(t, 1_000_000_000L, 0), "node.labels.zone"))))
        .containsOnly(Map.entry("east1", 1L), Map.entry("west1", 3L));
  }

  @Test
  void nodesWhereTheServiceKeepsFailingComeLast() {
    addNode(readyNode("flaky"));
    addNode(readyNode("busy"), runningOn(pendingTask("o1", "other"), "busy"));
    Task failed = pendingTask("f", "svc").build();
    NodeInfo flaky = nodes.get("flaky");
    for (int i = 0; i < NodeInfo.MAX_FAILURES; i++) {
      flaky.taskFailed(failed, NOW.minusSeconds(10));
    }

    assertThat(place(tasks(1, "svc", t -> t))).containsOnly(Map.entry("busy", 1L));
  }

  private static Task.Builder spread(Task.Builder t, String descriptor) {
    t.getSpecBuilder().getPlacementBuilder().addPreferences(PlacementPreference.newBuilder()
        .setSpread(SpreadOver.newBuilder().setSpreadDescriptor(descriptor)));
    return t;
  }

  @Test
  void fullNodesDropOutOfTheRotationWhileOthersKeepTakingTasks() {
    IntStream.range(0, 50).forEach(i -> addNode(withResources(readyNode("small" + i), 1_000_000_000L, 1L << 30)));
    addNode(withResources(readyNode("big"), 100_000_000_000L, 1L << 30));
    addNode(withResources(readyNode("medium"), 3_000_000_000L, 1L << 30));
    ArrayDeque<Task> group = tasks(120, "svc", t -> withReservations(t, 1_000_000_000L, 0));

    Map<String, Long> placed = place(group);

    assertThat(group).isEmpty();
    assertThat(placed.get("medium")).isEqualTo(3L);
    assertThat(placed.get("big")).isEqualTo(67L);
    IntStream.range(0, 50).forEach(i -> assertThat(placed.get("small" + i)).isEqualTo(1L));
  }
}
