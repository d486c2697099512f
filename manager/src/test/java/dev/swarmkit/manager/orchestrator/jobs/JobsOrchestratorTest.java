package dev.swarmkit.manager.orchestrator.jobs;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobsOrchestratorTest {

  private final JobFixture jobs = new JobFixture();
  private final Fixture fx = jobs.fx;
  private JobsOrchestrator orchestrator;

  @BeforeEach
  void start() {
    startOrchestrator();
  }

  @AfterEach
  void stop() {
    orchestrator.stop();
  }

  private void startOrchestrator() {
    orchestrator = new JobsOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(2)));
    orchestrator.start();
  }

  private static RestartPolicy onFailure(long maxAttempts) {
    return Fixture.restartPolicy(RestartPolicy.RestartCondition.ON_FAILURE, maxAttempts, 0);
  }

  @Test
  void replicatedJobRunsAtMostMaxConcurrentTasksUntilTotalCompletionsCompleted() throws Exception {
    Node node = fx.createNode("worker");
    try (Subscription changes = fx.store.watch(e -> e.table() == Table.TASKS)) {
      Service job = jobs.createReplicatedJob("five", 2, 5, Fixture.taskSpec(onFailure(0)));
      for (int completed = 0; completed < 5; completed++) {
        await().atMost(ofSeconds(3)).until(() -> !jobs.startable(job.getId()).isEmpty());
        jobs.runTo(jobs.startable(job.getId()).get(0), node.getId(), TaskState.COMPLETE);
      }
      jobs.awaitOrchestratorCaughtUp();

      List<Task> tasks = fx.tasks(job.getId());
      assertThat(tasks).hasSize(5).allSatisfy(t -> {
        assertThat(t.getStatus().getState()).isEqualTo(TaskState.COMPLETE);
        assertThat(t.getDesiredState()).isEqualTo(TaskState.COMPLETE);
        assertThat(t.getJobIteration().getIndex()).isZero();
      });
      assertThat(tasks.stream().map(Task::getSlot).collect(Collectors.toSet())).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
      assertThat(maxUnfinishedAtOnce(changes, job.getId())).isEqualTo(2);
    }
  }

  /** Replays every task change and returns the most unfinished tasks of the service seen at once. */
  private static int maxUnfinishedAtOnce(Subscription changes, String serviceId) throws InterruptedException {
    Set<String> unfinished = new HashSet<>();
    int max = 0;
    for (Optional<StoreEvent> e = changes.poll(Duration.ZERO); e.isPresent(); e = changes.poll(Duration.ZERO)) {
      if (e.get().kind() == StoreEvent.Kind.COMMIT) {
        continue;
      }
      Task t = Table.TASKS.cast(e.get().object());
      if (!t.getServiceId().equals(serviceId)) {
        continue;
      }
      if (e.get().kind() != StoreEvent.Kind.DELETE && JobFixture.isUnfinished(t)) {
        unfinished.add(t.getId());
      } else {
        unfinished.remove(t.getId());
      }
      max = Math.max(max, unfinished.size());
    }
    return max;
  }

  @Test
  void failedTaskIsReplacedInItsSlotUntilMaxAttemptsIsReached() {
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("flaky", 1, 1, Fixture.taskSpec(onFailure(2)));

    for (int attempt = 1; attempt <= 3; attempt++) {
      int expected = attempt;
      await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1
          && fx.tasks(job.getId()).size() == expected);
      Task task = jobs.startable(job.getId()).get(0);
      assertThat(task.getSlot()).isZero();
      assertThat(task.getJobIteration().getIndex()).isZero();
      jobs.runTo(task, node.getId(), TaskState.FAILED);
      await().atMost(ofSeconds(3)).untilAsserted(
          () -> assertThat(fx.task(task.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN));
    }
    // The first run and two restarts failed: max_attempts=2 allows no third restart.
    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(job.getId())).hasSize(3)
        .allSatisfy(t -> assertThat(t.getStatus().getState()).isEqualTo(TaskState.FAILED));
  }

  @Test
  void retriedTaskThatCompletesFinishesTheJob() {
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("retry", 1, 1, Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1);
    Task first = jobs.startable(job.getId()).get(0);
    jobs.runTo(first, node.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).until(() -> !jobs.startable(job.getId()).isEmpty());
    Task retry = jobs.startable(job.getId()).get(0);
    assertThat(retry.getId()).isNotEqualTo(first.getId());
    assertThat(retry.getSlot()).isEqualTo(first.getSlot());
    jobs.runTo(retry, node.getId(), TaskState.COMPLETE);

    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(job.getId())).hasSize(2);
    assertThat(jobs.unfinished(job.getId())).isEmpty();
  }

  @Test
  void failedTaskIsNotReplacedWhenTheRestartConditionIsNone() {
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("once", 1, 1,
        Fixture.taskSpec(Fixture.restartPolicy(RestartPolicy.RestartCondition.NONE, 0, 0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1);
    Task task = jobs.startable(job.getId()).get(0);
    jobs.runTo(task, node.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).untilAsserted(
        () -> assertThat(fx.task(task.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN));
    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(job.getId())).extracting(Task::getId).containsExactly(task.getId());
  }

  @Test
  void globalJobRunsOneTaskOnEachEligibleNodeOnce() {
    Node a = fx.createNode("a", "kind", "batch");
    Node b = fx.createNode("b", "kind", "batch");
    Node other = fx.createNode("other", "kind", "web");
    Node drained = fx.createNode("drained", "kind", "batch");
    fx.setAvailability(drained.getId(), NodeSpec.Availability.DRAIN);
    Service job = jobs.createGlobalJob("everywhere", Fixture.taskSpec(onFailure(0), "node.labels.kind==batch"));

    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 2);
    List<Task> tasks = jobs.startable(job.getId());
    assertThat(tasks).extracting(Task::getNodeId).containsExactlyInAnyOrder(a.getId(), b.getId());
    assertThat(tasks).allSatisfy(t -> {
      assertThat(t.getDesiredState()).isEqualTo(TaskState.COMPLETE);
      assertThat(t.getJobIteration().getIndex()).isZero();
    });
    for (Task t : tasks) {
      jobs.runTo(t, t.getNodeId(), TaskState.COMPLETE);
    }

    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(job.getId())).hasSize(2)
        .allSatisfy(t -> assertThat(t.getStatus().getState()).isEqualTo(TaskState.COMPLETE));
    assertThat(fx.tasksOnNode(other.getId())).isEmpty();
    assertThat(fx.tasksOnNode(drained.getId())).isEmpty();
  }

  @Test
  void failedGlobalJobTaskIsRestartedOnItsNode() {
    Node a = fx.createNode("a");
    Service job = jobs.createGlobalJob("retry-everywhere", Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1);
    Task first = jobs.startable(job.getId()).get(0);
    jobs.runTo(first, a.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).until(() -> !jobs.startable(job.getId()).isEmpty()
        && !jobs.startable(job.getId()).get(0).getId().equals(first.getId()));
    Task retry = jobs.startable(job.getId()).get(0);
    assertThat(retry.getNodeId()).isEqualTo(a.getId());
    assertThat(fx.task(first.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
  }

  @Test
  void newJobIterationRunsTheJobAgainAndRemovesTasksOfTheOldOneStillRunning() {
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("rerun", 2, 2, Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 2);
    List<Task> firstRun = jobs.startable(job.getId());
    jobs.runTo(firstRun.get(0), node.getId(), TaskState.COMPLETE);
    fx.run(firstRun.get(1).getId(), node.getId());

    jobs.startNextIteration(job.getId());

    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 2);
    assertThat(jobs.startable(job.getId())).allSatisfy(t -> assertThat(t.getJobIteration().getIndex()).isEqualTo(1));
    Task completedBefore = fx.task(firstRun.get(0).getId());
    assertThat(completedBefore.getDesiredState()).isEqualTo(TaskState.COMPLETE);
    assertThat(completedBefore.getStatus().getState()).isEqualTo(TaskState.COMPLETE);
    await().atMost(ofSeconds(3)).untilAsserted(
        () -> assertThat(fx.task(firstRun.get(1).getId()).getDesiredState()).isEqualTo(TaskState.REMOVE));
  }

  @Test
  void newIterationOfAGlobalJobRunsAgainOnEveryNode() {
    Node a = fx.createNode("a");
    Node b = fx.createNode("b");
    Service job = jobs.createGlobalJob("rerun-everywhere", Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 2);
    for (Task t : jobs.startable(job.getId())) {
      jobs.runTo(t, t.getNodeId(), TaskState.COMPLETE);
    }

    jobs.startNextIteration(job.getId());

    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 2);
    assertThat(jobs.startable(job.getId())).allSatisfy(t -> assertThat(t.getJobIteration().getIndex()).isEqualTo(1))
        .extracting(Task::getNodeId).containsExactlyInAnyOrder(a.getId(), b.getId());
  }

  @Test
  void completedTasksAreNotRestartedEvenWithRestartConditionAnyOrByANewLeader() {
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("done", 1, 1, Fixture.taskSpec(Fixture.restartImmediately()));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1);
    Task task = jobs.startable(job.getId()).get(0);
    jobs.runTo(task, node.getId(), TaskState.COMPLETE);
    jobs.awaitOrchestratorCaughtUp();

    orchestrator.stop();
    startOrchestrator();
    jobs.awaitOrchestratorCaughtUp();

    assertThat(fx.tasks(job.getId())).singleElement().satisfies(t -> {
      assertThat(t.getId()).isEqualTo(task.getId());
      assertThat(t.getDesiredState()).isEqualTo(TaskState.COMPLETE);
    });
  }

  @Test
  void newLeaderResumesAnUnfinishedJob() {
    orchestrator.stop();
    Node node = fx.createNode("worker");
    Service job = jobs.createReplicatedJob("resumed", 1, 2, Fixture.taskSpec(onFailure(0)));
    startOrchestrator();
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 1);
    jobs.runTo(jobs.startable(job.getId()).get(0), node.getId(), TaskState.COMPLETE);
    await().atMost(ofSeconds(3)).until(() -> jobs.inState(job.getId(), TaskState.COMPLETE).size() == 1
        && jobs.startable(job.getId()).size() == 1);
    assertThat(jobs.startable(job.getId()).get(0).getSlot()).isEqualTo(1);
  }

  @Test
  void deletingAJobRemovesItsTasks() {
    Service job = jobs.createReplicatedJob("gone", 2, 4, Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> fx.tasks(job.getId()).size() == 2);
    fx.deleteService(job.getId());
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(fx.tasks(job.getId()))
        .allSatisfy(t -> assertThat(t.getDesiredState()).isEqualTo(TaskState.REMOVE)));
  }

  @Test
  void servicesThatAreNotJobsAreLeftAlone() {
    fx.createNode("worker");
    Service replicated = fx.createReplicated("web", 3, Fixture.taskSpec(Fixture.restartImmediately()));
    Service global = fx.createGlobal("agent", Fixture.taskSpec(Fixture.restartImmediately()));
    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(replicated.getId())).isEmpty();
    assertThat(fx.tasks(global.getId())).isEmpty();
  }
  @Test
  void replicatedJobNeverStartsMoreTasksThanCompletionsAreNeeded() {
    Service job = jobs.createReplicatedJob("few", 5, 2, Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> fx.tasks(job.getId()).size() == 2);
    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.tasks(job.getId())).extracting(Task::getSlot).containsExactlyInAnyOrder(0L, 1L);
  }

  @Test
  void newLeaderShutsDownUnfinishedGlobalJobTasksOnNodesThatWentDownButKeepsCompletedOnes() {
    Node up = fx.createNode("up");
    Node lost = fx.createNode("lost");
    Node finished = fx.createNode("finished");
    Service job = jobs.createGlobalJob("sweep", Fixture.taskSpec(onFailure(0)));
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(job.getId()).size() == 3);
    for (Task t : jobs.startable(job.getId())) {
      fx.run(t.getId(), t.getNodeId());
    }
    Task onFinished = fx.tasksOnNode(finished.getId()).get(0);
    fx.report(onFinished.getId(), TaskState.COMPLETE);
    jobs.awaitOrchestratorCaughtUp();

    orchestrator.stop();
    fx.setNodeState(lost.getId(), dev.swarmkit.api.NodeStatus.State.DOWN);
    fx.setNodeState(finished.getId(), dev.swarmkit.api.NodeStatus.State.DOWN);
    startOrchestrator();

    Task onLost = fx.tasksOnNode(lost.getId()).get(0);
    await().atMost(ofSeconds(3)).untilAsserted(
        () -> assertThat(fx.task(onLost.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN));
    jobs.awaitOrchestratorCaughtUp();
    assertThat(fx.task(onFinished.getId()).getDesiredState()).isEqualTo(TaskState.COMPLETE);
    assertThat(fx.tasksOnNode(up.getId())).singleElement()
        .satisfies(t -> assertThat(t.getDesiredState()).isEqualTo(TaskState.COMPLETE));
    assertThat(fx.tasks(job.getId())).hasSize(3);
  }
}
