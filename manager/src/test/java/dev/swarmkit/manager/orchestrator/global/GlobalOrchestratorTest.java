package dev.swarmkit.manager.orchestrator.global;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GlobalOrchestratorTest {

  private final Fixture fx = new Fixture();
  private GlobalOrchestrator orchestrator;

  @BeforeEach
  void start() {
    orchestrator = new GlobalOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(2)));
    orchestrator.start();
  }

  @AfterEach
  void stop() {
    orchestrator.stop();
  }

  private List<String> nodesRunning(Service svc) {
    return fx.runnableTasks(svc.getId()).stream().map(Task::getNodeId).sorted().collect(Collectors.toList());
  }

  private static List<String> ids(Node... nodes) {
    return java.util.Arrays.stream(nodes).map(Node::getId).sorted().collect(Collectors.toList());
  }

  @Test
  void runsOneTaskPerNodeAndFollowsNodesJoiningAndLeaving() {
    Node a = fx.createNode("a");
    Node b = fx.createNode("b");
    Service svc = fx.createGlobal("agent", Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(svc)).isEqualTo(ids(a, b)));
    assertThat(fx.runnableTasks(svc.getId())).allSatisfy(t -> {
      assertThat(t.getSlot()).isZero();
      assertThat(t.getDesiredState()).isEqualTo(TaskState.RUNNING);
    });

    Node c = fx.createNode("c");
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(svc)).isEqualTo(ids(a, b, c)));

    Task onA = fx.tasksOnNode(a.getId()).get(0);
    fx.setAvailability(a.getId(), NodeSpec.Availability.DRAIN);
    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      assertThat(nodesRunning(svc)).isEqualTo(ids(b, c));
      assertThat(fx.task(onA.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
    });

    Task onB = fx.tasksOnNode(b.getId()).get(0);
    fx.deleteNode(b.getId());
    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      assertThat(nodesRunning(svc)).isEqualTo(ids(c));
      assertThat(fx.task(onB.getId())).isNull();
    });

    fx.setNodeState(c.getId(), NodeStatus.State.DOWN);
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(svc)).isEmpty());

    fx.setNodeState(c.getId(), NodeStatus.State.READY);
    fx.setAvailability(a.getId(), NodeSpec.Availability.ACTIVE);
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(svc)).isEqualTo(ids(a, c)));
  }

  @Test
  void onlyNodesMatchingThePlacementConstraintsGetTasks() {
    Node east = fx.createNode("east", "zone", "east");
    fx.createNode("west", "zone", "west");
    Service svc = fx.createGlobal("agent", Fixture.taskSpec(Fixture.restartImmediately(), "node.labels.zone==east"));

    await().during(Duration.ofMillis(300)).atMost(ofSeconds(3))
        .untilAsserted(() -> assertThat(nodesRunning(svc)).isEqualTo(ids(east)));
  }

  @Test
  void pausedNodeKeepsItsTaskButGetsNoNewOnes() {
    Node a = fx.createNode("a");
    Service first = fx.createGlobal("first", Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(first)).isEqualTo(ids(a)));
    Task kept = fx.tasksOnNode(a.getId()).get(0);
    fx.run(kept.getId(), a.getId());

    fx.setAvailability(a.getId(), NodeSpec.Availability.PAUSE);
    Service second = fx.createGlobal("second", Fixture.taskSpec(Fixture.restartImmediately()));
    Node b = fx.createNode("b");

    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(nodesRunning(second)).isEqualTo(ids(b)));
    assertThat(fx.task(kept.getId()).getDesiredState()).isEqualTo(TaskState.RUNNING);
    assertThat(nodesRunning(first)).isEqualTo(ids(a, b));
  }

  @Test
  void failedTaskIsRestartedOnTheSameNode() {
    Node a = fx.createNode("a");
    Service svc = fx.createGlobal("agent", Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 1);
    Task original = fx.runnableTasks(svc.getId()).get(0);
    fx.run(original.getId(), a.getId());

    fx.report(original.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(runnable).hasSize(1);
      assertThat(runnable.get(0).getId()).isNotEqualTo(original.getId());
      assertThat(runnable.get(0).getNodeId()).isEqualTo(a.getId());
      assertThat(runnable.get(0).getDesiredState()).isEqualTo(TaskState.RUNNING);
    });
  }

  @Test
  void deletingTheServiceSetsItsTasksToRemove() {
    fx.createNode("a");
    fx.createNode("b");
    Service svc = fx.createGlobal("agent", Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);

    fx.deleteService(svc.getId());

    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(fx.tasks(svc.getId())).hasSize(2)
        .allSatisfy(t -> assertThat(t.getDesiredState()).isEqualTo(TaskState.REMOVE)));
  }
}
