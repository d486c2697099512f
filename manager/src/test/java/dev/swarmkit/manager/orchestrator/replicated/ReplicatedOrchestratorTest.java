package dev.swarmkit.manager.orchestrator.replicated;

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
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicatedOrchestratorTest {

  private final Fixture fx = new Fixture();
  private ReplicatedOrchestrator orchestrator;

  @BeforeEach
  void start() {
    orchestrator = new ReplicatedOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(2)));
    orchestrator.start();
  }

  @AfterEach
  void stop() {
    orchestrator.stop();
  }

  private static Set<Long> slots(List<Task> tasks) {
    return tasks.stream().map(Task::getSlot).collect(Collectors.toSet());
  }

  private static Set<Long> range(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().collect(Collectors.toSet());
  }

  @Test
  void scalingFromZeroToFiftyToThreeKeepsSlotsOneToThree() {
    Service svc = fx.createReplicated("web", 0, Fixture.taskSpec(Fixture.restartImmediately()));
    await().during(Duration.ofMillis(300)).atMost(ofSeconds(3)).until(() -> fx.tasks(svc.getId()).isEmpty());

    fx.scale(svc.getId(), 50);
    await().atMost(ofSeconds(5)).untilAsserted(() -> {
      List<Task> tasks = fx.runnableTasks(svc.getId());
      assertThat(tasks).hasSize(50);
      assertThat(slots(tasks)).isEqualTo(range(1, 50));
    });
    Task first = fx.runnableTasks(svc.getId()).get(0);
    assertThat(first.getDesiredState()).isEqualTo(TaskState.RUNNING);
    assertThat(first.getStatus().getState()).isEqualTo(Tasks.INITIAL_STATE);
    assertThat(first.getSpec()).isEqualTo(svc.getSpec().getTask());
    assertThat(first.getServiceAnnotations().getName()).isEqualTo("web");
    assertThat(first.getSpecVersion()).isEqualTo(svc.getSpecVersion());
    assertThat(first.getNodeId()).isEmpty();

    fx.scale(svc.getId(), 3);
    await().atMost(ofSeconds(5)).untilAsserted(() -> {
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(slots(runnable)).isEqualTo(range(1, 3));
      assertThat(runnable).hasSize(3);
    });
    assertThat(fx.tasks(svc.getId())).allSatisfy(t -> {
      if (t.getSlot() > 3) {
        assertThat(t.getDesiredState()).isEqualTo(TaskState.REMOVE);
      }
    });
  }

  @Test
  void scaleDownRemovesTasksFromTheMostLoadedNode() {
    Node a = fx.createNode("a");
    Node b = fx.createNode("b");
    Service svc = fx.createReplicated("web", 4, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 4);
    List<Task> tasks = fx.runnableTasks(svc.getId());
    // Slots 1..3 on node a, slot 4 on node b.
    for (Task t : tasks) {
      fx.run(t.getId(), t.getSlot() <= 3 ? a.getId() : b.getId());
    }

    fx.scale(svc.getId(), 2);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(runnable).hasSize(2);
      assertThat(runnable).extracting(Task::getNodeId).containsExactlyInAnyOrder(a.getId(), b.getId());
    });
  }

  @Test
  void nodeDownReplacesItsTasks() {
    Node a = fx.createNode("a");
    Node b = fx.createNode("b");
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    List<Task> tasks = fx.runnableTasks(svc.getId());
    Task onA = tasks.get(0);
    Task onB = tasks.get(1);
    fx.run(onA.getId(), a.getId());
    fx.run(onB.getId(), b.getId());

    fx.setNodeState(a.getId(), NodeStatus.State.DOWN);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      assertThat(fx.task(onA.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(runnable).hasSize(2);
      Task replacement = runnable.stream().filter(t -> t.getSlot() == onA.getSlot()).findFirst().orElseThrow();
      assertThat(replacement.getId()).isNotEqualTo(onA.getId());
      assertThat(replacement.getNodeId()).isEmpty();
      // The node is down, so the replacement need not wait for the old task to stop.
      assertThat(replacement.getDesiredState()).isEqualTo(TaskState.RUNNING);
    });
    assertThat(fx.task(onB.getId()).getDesiredState()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void drainReplacesTasksButPauseLeavesThemAlone() {
    Node paused = fx.createNode("paused");
    Node drained = fx.createNode("drained");
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    List<Task> tasks = fx.runnableTasks(svc.getId());
    Task onPaused = tasks.get(0);
    Task onDrained = tasks.get(1);
    fx.run(onPaused.getId(), paused.getId());
    fx.run(onDrained.getId(), drained.getId());

    fx.setAvailability(paused.getId(), NodeSpec.Availability.PAUSE);
    fx.setAvailability(drained.getId(), NodeSpec.Availability.DRAIN);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      assertThat(fx.task(onDrained.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
      assertThat(fx.runnableTasks(svc.getId())).hasSize(2);
    });
    // The drain was handled after the pause, so the pause has been seen and left the task alone.
    Task stillThere = fx.task(onPaused.getId());
    assertThat(stillThere.getDesiredState()).isEqualTo(TaskState.RUNNING);
    assertThat(stillThere.getNodeId()).isEqualTo(paused.getId());
  }

  @Test
  void failedTaskIsReplacedInTheSameSlot() {
    Node a = fx.createNode("a");
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 1);
    Task original = fx.runnableTasks(svc.getId()).get(0);
    fx.run(original.getId(), a.getId());

    fx.report(original.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      List<Task> runnable = fx.runnableTasks(svc.getId());
      assertThat(runnable).hasSize(1);
      assertThat(runnable.get(0).getId()).isNotEqualTo(original.getId());
      assertThat(runnable.get(0).getSlot()).isEqualTo(original.getSlot());
      assertThat(runnable.get(0).getDesiredState()).isEqualTo(TaskState.RUNNING);
    });
    assertThat(fx.task(original.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
  }

  @Test
  void deletingTheServiceSetsItsTasksToRemove() {
    Service svc = fx.createReplicated("web", 3, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 3);

    fx.deleteService(svc.getId());

    await().atMost(ofSeconds(3)).untilAsserted(() ->
        assertThat(fx.tasks(svc.getId())).hasSize(3).allSatisfy(t ->
            assertThat(t.getDesiredState()).isEqualTo(TaskState.REMOVE)));
  }

  @Test
  void existingServicesAreReconciledOnStart() {
    orchestrator.stop();
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    assertThat(fx.tasks(svc.getId())).isEmpty();

    orchestrator = new ReplicatedOrchestrator(fx.store);
    orchestrator.start();

    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(slots(fx.runnableTasks(svc.getId()))).isEqualTo(range(1, 2)));
  }

  @Test
  void recoversFromFallingBehindTheStoreByReReadingIt() {
    orchestrator.stop();
    // A watch queue far smaller than one scale-up's worth of events drops the orchestrator's watcher.
    Fixture small = new Fixture(new dev.swarmkit.store.MemoryStore(
        dev.swarmkit.store.MemoryStore.Options.defaults().withWatchQueueCapacity(8)));
    orchestrator = new ReplicatedOrchestrator(small.store, new RestartSupervisor(small.store, Duration.ofSeconds(2)));
    orchestrator.start();
    Node a = small.createNode("a");
    Service svc = small.createReplicated("web", 30, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(5)).untilAsserted(() -> assertThat(slots(small.runnableTasks(svc.getId()))).isEqualTo(range(1, 30)));

    Task victim = small.runnableTasks(svc.getId()).get(0);
    small.run(victim.getId(), a.getId());
    small.setNodeState(a.getId(), NodeStatus.State.DOWN);

    await().atMost(ofSeconds(5)).untilAsserted(() -> {
      assertThat(small.task(victim.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
      assertThat(slots(small.runnableTasks(svc.getId()))).isEqualTo(range(1, 30));
      assertThat(small.runnableTasks(svc.getId())).hasSize(30);
    });
  }

  @Test
  void aLargeScaleUpNeitherOverflowsTheOrchestratorsWatchNorMakesItReReadTheStore() {
    // A watch queue far smaller than the scale-up (its own creations alone would fill it), but larger
    // than one entry (2,000 changes).
    Fixture small = new Fixture(new dev.swarmkit.store.MemoryStore(
        dev.swarmkit.store.MemoryStore.Options.defaults().withWatchQueueCapacity(3_000)));
    // Created before the orchestrator starts: it finds the service in the state it reads first.
    Service svc = small.createReplicated("big", 10_000, Fixture.taskSpec(Fixture.restartImmediately()));
    ReplicatedOrchestrator o = new ReplicatedOrchestrator(small.store, new RestartSupervisor(small.store, Duration.ofSeconds(2)));
    o.start();
    try {
      await().atMost(ofSeconds(30)).until(() -> small.runnableTasks(svc.getId()).size() == 10_000);
      await().during(Duration.ofMillis(300)).atMost(ofSeconds(5)).until(() -> small.tasks(svc.getId()).size() == 10_000);
      assertThat(o.subscriptions()).as("times the orchestrator read the whole store").isEqualTo(1);
    } finally {
      o.stop();
    }
  }
}
