package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.pendingTask;
import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static dev.swarmkit.scheduler.Fixtures.withConstraints;
import static dev.swarmkit.scheduler.Fixtures.withLabel;
import static dev.swarmkit.scheduler.Fixtures.withReservations;
import static dev.swarmkit.scheduler.Fixtures.withResources;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.PlacementPreference;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.SpreadOver;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MemoryStore store = new MemoryStore();
  private final Scheduler scheduler = new Scheduler(store);

  @AfterEach
  void tearDown() {
    scheduler.stop();
    store.close();
  }

  private void createNodes(Node.Builder... nodes) {
    store.update(tx -> {
      for (Node.Builder n : nodes) {
        tx.create(Table.NODES, n.build());
      }
    });
  }

  private void createService(String id) {
    store.update(tx -> tx.create(Table.SERVICES, Service.newBuilder().setId(id)
        .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(id))).build()));
  }

  private void createTasks(int count, String service, UnaryOperator<Task.Builder> shape) {
    store.batch(b -> IntStream.range(0, count).forEach(i -> b.update(tx -> tx.create(Table.TASKS,
        shape.apply(pendingTask(service + "-" + i + "-" + System.nanoTime(), service).clearMeta()).build()))));
  }

  private List<Task> tasks(String service) {
    return store.view(tx -> tx.find(Table.TASKS, dev.swarmkit.store.By.serviceId(service)));
  }

  private Map<String, Long> assignedPerNode(String service, int expected) {
    await().atMost(TIMEOUT).until(() -> tasks(service).stream()
        .filter(t -> t.getStatus().getState() == TaskState.ASSIGNED).count() == expected);
    return tasks(service).stream().filter(t -> !t.getNodeId().isEmpty())
        .collect(groupingBy(Task::getNodeId, counting()));
  }

  private Task awaitTask(String service, java.util.function.Predicate<Task> condition) {
    return await().atMost(TIMEOUT).until(
        () -> tasks(service).stream().filter(condition).findFirst(), Optional::isPresent).get();
  }

  @Test
  void pendingTasksAreAssignedAndSpreadEvenly() {
    createNodes(readyNode("a"), readyNode("b"), readyNode("c"));
    createService("svc");
    createTasks(9, "svc", t -> t);

    scheduler.start();

    assertThat(assignedPerNode("svc", 9)).containsOnly(Map.entry("a", 3L), Map.entry("b", 3L), Map.entry("c", 3L));
    assertThat(tasks("svc")).allSatisfy(t ->
        assertThat(t.getStatus().getMessage()).isEqualTo("scheduler assigned task to node"));
  }

  @Test
  void tasksCreatedWhileRunningAreAssigned() {
    createNodes(readyNode("a"), readyNode("b"));
    createService("svc");
    scheduler.start();

    createTasks(4, "svc", t -> t);

    assertThat(assignedPerNode("svc", 4)).containsOnly(Map.entry("a", 2L), Map.entry("b", 2L));
  }

  @Test
  void insufficientResourcesLeaveTasksPendingWithTheReason() {
    createNodes(withResources(readyNode("small"), 1_000_000_000L, 1L << 30));
    createService("svc");
    createTasks(2, "svc", t -> withReservations(t, 1_000_000_000L, 1L << 20));
    scheduler.start();

    Task pending = awaitTask("svc", t -> !t.getStatus().getErr().isEmpty());
    assertThat(pending.getStatus().getState()).isEqualTo(TaskState.PENDING);
    assertThat(pending.getNodeId()).isEmpty();
    assertThat(pending.getStatus().getErr()).isEqualTo("no suitable node (insufficient resources on 1 node)");
    assertThat(assignedPerNode("svc", 1)).containsOnly(Map.entry("small", 1L));

    createNodes(withResources(readyNode("big"), 4_000_000_000L, 1L << 32));

    assertThat(assignedPerNode("svc", 2)).containsOnly(Map.entry("small", 1L), Map.entry("big", 1L));
  }

  @Test
  void constraintsRestrictPlacementAndExplainFailures() {
    createNodes(withLabel(readyNode("db1"), "type", "db"), withLabel(readyNode("db2"), "type", "db"),
        withLabel(readyNode("web"), "type", "web"));
    createService("db");
    createService("cache");
    createTasks(4, "db", t -> withConstraints(t, "node.labels.type==db"));
    createTasks(1, "cache", t -> withConstraints(t, "node.labels.type==cache"));

    scheduler.start();

    assertThat(assignedPerNode("db", 4)).containsOnly(Map.entry("db1", 2L), Map.entry("db2", 2L));
    Task unplaceable = awaitTask("cache", t -> !t.getStatus().getErr().isEmpty());
    assertThat(unplaceable.getStatus().getErr())
        .isEqualTo("no suitable node (scheduling constraints not satisfied on 3 nodes)");
  }

  @Test
  void hostPortsAreNotDoubleBooked() {
    createNodes(readyNode("a"), readyNode("b"));
    createService("svc");
    PortConfig port = PortConfig.newBuilder().setPublishMode(PortConfig.PublishMode.HOST).setPublishedPort(8080)
        .setTargetPort(80).build();
    createTasks(3, "svc", t -> t.setEndpoint(Endpoint.newBuilder().addPorts(port)));

    scheduler.start();

    assertThat(assignedPerNode("svc", 2)).containsOnly(Map.entry("a", 1L), Map.entry("b", 1L));
    assertThat(awaitTask("svc", t -> !t.getStatus().getErr().isEmpty()).getStatus().getErr())
        .isEqualTo("no suitable node (host-mode port already in use on 2 nodes)");
  }

  @Test
  void preferencesSpreadEvenlyOverLabelValues() {
    createNodes(withLabel(readyNode("east1"), "zone", "east"), withLabel(readyNode("west1"), "zone", "west"),
        withLabel(readyNode("west2"), "zone", "west"), withLabel(readyNode("west3"), "zone", "west"));
    createService("svc");
    createTasks(6, "svc", t -> {
      t.getSpecBuilder().getPlacementBuilder().addPreferences(PlacementPreference.newBuilder()
          .setSpread(SpreadOver.newBuilder().setSpreadDescriptor("node.labels.zone")));
      return t;
    });

    scheduler.start();

    Map<String, Long> placed = assignedPerNode("svc", 6);
    assertThat(placed.get("east1")).isEqualTo(3L);
    assertThat(placed).containsOnlyKeys("east1", "west1", "west2", "west3");
  }

  @Test
  void nodeGoingDownStopsReceivingTasks() {
    createNodes(readyNode("a"), readyNode("b"));
    createService("svc");
    createTasks(2, "svc", t -> t);
    scheduler.start();
    assertThat(assignedPerNode("svc", 2)).containsOnly(Map.entry("a", 1L), Map.entry("b", 1L));

    store.update(tx -> {
      Node b = tx.get(Table.NODES, "b").orElseThrow();
      tx.update(Table.NODES, b.toBuilder().setStatus(b.getStatus().toBuilder().setState(NodeStatus.State.DOWN)).build());
    });
    createTasks(4, "svc", t -> t);

    assertThat(assignedPerNode("svc", 6)).containsOnly(Map.entry("a", 5L), Map.entry("b", 1L));
  }

  @Test
  void preassignedTasksAreConfirmedOnTheirNode() {
    createNodes(readyNode("a"), readyNode("b"));
    createService("global");
    createTasks(1, "global", t -> t.setNodeId("b"));

    scheduler.start();

    Task confirmed = awaitTask("global", t -> t.getStatus().getState() == TaskState.ASSIGNED);
    assertThat(confirmed.getNodeId()).isEqualTo("b");
    assertThat(confirmed.getStatus().getMessage()).isEqualTo("scheduler confirmed task can run on preassigned node");
  }

  @Test
  void tasksNoLongerWantedAreNotScheduled() {
    createNodes(readyNode("a"));
    createService("svc");
    createTasks(1, "svc", t -> t.setDesiredState(TaskState.SHUTDOWN));
    createTasks(1, "svc", t -> t);

    scheduler.start();

    assertThat(assignedPerNode("svc", 1)).containsOnly(Map.entry("a", 1L));
    assertThat(tasks("svc")).filteredOn(t -> t.getDesiredState() == TaskState.SHUTDOWN)
        .singleElement().satisfies(t -> assertThat(t.getNodeId()).isEmpty());
  }

  @Test
  void manyTasksAreWrittenInFewTransactions() throws Exception {
    createNodes(readyNode("a"), readyNode("b"), readyNode("c"), readyNode("d"));
    createService("svc");
    createTasks(5000, "svc", t -> t);
    long commits = 0;
    try (Subscription watch = store.watch(e -> e.kind() == StoreEvent.Kind.COMMIT)) {
      scheduler.start();

      assertThat(assignedPerNode("svc", 5000)).containsOnly(
          Map.entry("a", 1250L), Map.entry("b", 1250L), Map.entry("c", 1250L), Map.entry("d", 1250L));
      while (watch.poll(Duration.ZERO).isPresent()) {
        commits++;
      }
    }
    // Transactions of 200 decisions, grouped into entries of up to 2,000 changes.
    assertThat(commits).isBetween(3L, 4L);
  }

  private static Node.Builder withGeneric(Node.Builder n, long nanoCpus, long memory, List<String> named,
      long apples) {
    Resources.Builder r = Resources.newBuilder().setNanoCpus(nanoCpus).setMemoryBytes(memory);
    named.forEach(v -> r.addGeneric(GenericResources.named("orange", v)));
    r.addGeneric(GenericResources.discrete("apple", apples));
    n.getDescriptionBuilder().setResources(r);
    return n;
  }

  /** Upstream's TestSchedulerResourceConstraint, with named and discrete generic resources. */
  @Test
  void genericResourcesAndReadinessAreExplainedThenSatisfied() {
    Node.Builder nonReady1 = withGeneric(readyNode("nonready1"), 2_000_000_000L, 2_000_000_000L,
        List.of("orange", "blue", "red"), 2);
    nonReady1.getStatusBuilder().setState(NodeStatus.State.UNKNOWN);
    Node.Builder nonReady2 = withGeneric(readyNode("nonready2"), 2_000_000_000L, 2_000_000_000L,
        List.of("orange", "blue", "red"), 2);
    nonReady2.getStatusBuilder().setState(NodeStatus.State.UNKNOWN);
    createNodes(withGeneric(readyNode("underprovisioned"), 1_000_000_000L, 1_000_000_000L, List.of("orange", "blue"), 1),
        nonReady1, nonReady2);
    createService("svc");
    createTasks(1, "svc", t -> {
      t.getSpecBuilder().setResources(ResourceRequirements.newBuilder().setReservations(Resources.newBuilder()
          .setMemoryBytes(2_000_000_000L)
          .addGeneric(GenericResources.discrete("orange", 2))
          .addGeneric(GenericResources.discrete("apple", 2))));
      return t;
    });
    scheduler.start();

    assertThat(awaitTask("svc", t -> !t.getStatus().getErr().isEmpty()).getStatus().getErr())
        .isEqualTo("no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)");

    createNodes(withGeneric(readyNode("bignode"), 4_000_000_000L, 8_000_000_000L,
        List.of("orange", "blue", "red", "green"), 4));

    Task assigned = awaitTask("svc", t -> t.getStatus().getState() == TaskState.ASSIGNED);
    assertThat(assigned.getNodeId()).isEqualTo("bignode");
    assertThat(assigned.getAssignedGenericResourcesList()).hasSize(3)
        .contains(GenericResources.discrete("apple", 2))
        .filteredOn(dev.swarmkit.api.GenericResource::hasNamedResourceSpec).hasSize(2);
  }

  @Test
  void preassignedTaskThatDoesNotFitIsExplainedAndStaysPending() {
    createNodes(withResources(readyNode("small"), 1_000_000_000L, 1L << 30));
    createService("global");
    createTasks(1, "global", t -> withReservations(t, 2_000_000_000L, 0).setNodeId("small"));

    scheduler.start();

    Task pending = awaitTask("global", t -> !t.getStatus().getErr().isEmpty());
    assertThat(pending.getStatus().getState()).isEqualTo(TaskState.PENDING);
    assertThat(pending.getStatus().getErr()).isEqualTo("insufficient resources on 1 node");
  }

  @Test
  void withoutNodesTasksWaitWithABareReason() {
    createService("svc");
    createTasks(1, "svc", t -> t);

    scheduler.start();

    assertThat(awaitTask("svc", t -> !t.getStatus().getErr().isEmpty()).getStatus().getErr())
        .isEqualTo("no suitable node");
  }

  /** Upstream's TestSchedulerFaultyNode: repeated failures of a service push it to other nodes. */
  @Test
  void nodeWhereTheServiceKeepsFailingIsAvoided() {
    createNodes(readyNode("flaky"), readyNode("busy"));
    createService("svc");
    createService("other");
    store.update(tx -> tx.create(Table.TASKS, Fixtures.runningOn(pendingTask("o1", "other").clearMeta(), "busy")));
    store.update(tx -> IntStream.range(0, NodeInfo.MAX_FAILURES).forEach(i ->
        tx.create(Table.TASKS, Fixtures.runningOn(pendingTask("f" + i, "svc").clearMeta(), "flaky"))));
    scheduler.start();
    createTasks(1, "svc", t -> t);
    Task first = awaitTask("svc", t -> t.getStatus().getState() == TaskState.ASSIGNED);
    assertThat(first.getNodeId()).as("flaky already runs five tasks of the service").isEqualTo("busy");

    store.update(tx -> IntStream.range(0, NodeInfo.MAX_FAILURES).forEach(i -> {
      Task t = tx.get(Table.TASKS, "f" + i).orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setStatus(t.getStatus().toBuilder().setState(TaskState.FAILED)).build());
    }));
    store.update(tx -> {
      Task t = tx.get(Table.TASKS, first.getId()).orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setStatus(t.getStatus().toBuilder().setState(TaskState.COMPLETE)).build());
    });
    createTasks(1, "svc", t -> t);

    Task next = awaitTask("svc", t -> t.getStatus().getState() == TaskState.ASSIGNED);
    assertThat(next.getNodeId()).as("flaky now has fewer tasks but five recent failures").isEqualTo("busy");
  }
}
