package dev.swarmkit.manager.orchestrator.constraintenforcer;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.replicated.ReplicatedOrchestrator;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConstraintEnforcerTest {

  private final Fixture fx = new Fixture();
  private final ConstraintEnforcer enforcer = new ConstraintEnforcer(fx.store);
  private final ReplicatedOrchestrator orchestrator =
      new ReplicatedOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(2)));

  @BeforeEach
  void start() {
    enforcer.start();
    orchestrator.start();
  }

  @AfterEach
  void stop() {
    enforcer.stop();
    orchestrator.stop();
  }

  private Task runOne(Service svc, Node node) {
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 1);
    Task t = fx.runnableTasks(svc.getId()).get(0);
    fx.run(t.getId(), node.getId());
    return t;
  }

  @Test
  void labelChangeEvictsTaskThatNoLongerMatchesAndItIsReplaced() {
    Node node = fx.createNode("a", "zone", "east");
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately(), "node.labels.zone==east"));
    Task task = runOne(svc, node);

    fx.updateNode(node.getId(), b -> {
      b.getSpecBuilder().getAnnotationsBuilder().putLabels("zone", "west");
      return b;
    });

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      Task rejected = fx.task(task.getId());
      assertThat(rejected.getStatus().getState()).isEqualTo(TaskState.REJECTED);
      assertThat(rejected.getStatus().getErr()).isEqualTo("assigned node no longer meets constraints");
      assertThat(rejected.getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(runnable).hasSize(1);
      assertThat(runnable.get(0).getId()).isNotEqualTo(task.getId());
    });
  }

  @Test
  void shrunkenResourcesEvictTasksWhoseReservationNoLongerFits() {
    Node node = fx.createNode("a");
    fx.updateNode(node.getId(), b -> {
      b.getDescriptionBuilder().setResources(Resources.newBuilder().setMemoryBytes(1 << 30).setNanoCpus(2_000_000_000));
      return b;
    });
    TaskSpec spec = Fixture.taskSpec(Fixture.restartImmediately()).toBuilder()
        .setResources(ResourceRequirements.newBuilder()
            .setReservations(Resources.newBuilder().setMemoryBytes(512 << 20)))
        .build();
    Service svc = fx.createReplicated("web", 1, spec);
    Task task = runOne(svc, node);

    fx.updateNode(node.getId(), b -> {
      b.getDescriptionBuilder().getResourcesBuilder().setMemoryBytes(256 << 20);
      return b;
    });

    await().atMost(ofSeconds(3)).until(() -> fx.task(task.getId()).getStatus().getState() == TaskState.REJECTED);
  }

  @Test
  void tasksOnPausedNodesAreLeftAlone() {
    Node node = fx.createNode("a", "zone", "east");
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately(), "node.labels.zone==east"));
    Task task = runOne(svc, node);

    fx.updateNode(node.getId(), b -> {
      b.getSpecBuilder().setAvailability(NodeSpec.Availability.PAUSE).getAnnotationsBuilder().putLabels("zone", "west");
      return b;
    });
    // A later change that the enforcer does act on proves it has seen the pause.
    Node other = fx.createNode("b", "zone", "east");
    Service svc2 = fx.createReplicated("api", 1, Fixture.taskSpec(Fixture.restartImmediately(), "node.labels.zone==east"));
    Task task2 = runOne(svc2, other);
    fx.updateNode(other.getId(), b -> {
      b.getSpecBuilder().getAnnotationsBuilder().putLabels("zone", "west");
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.task(task2.getId()).getStatus().getState() == TaskState.REJECTED);

    assertThat(fx.task(task.getId()).getStatus().getState()).isEqualTo(TaskState.RUNNING);
  }
}
