package dev.swarmkit.manager.orchestrator.restart;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.replicated.ReplicatedOrchestrator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Restart policies as applied by the replicated orchestrator through the restart supervisor. */
class RestartPolicyTest {

  private final Fixture fx = new Fixture();
  private ReplicatedOrchestrator orchestrator;
  private Node node;

  @BeforeEach
  void start() {
    node = fx.createNode("a");
    orchestrator = new ReplicatedOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(2)));
    orchestrator.start();
  }

  @AfterEach
  void stop() {
    orchestrator.stop();
  }

  /** Waits for the single runnable task of the service to be started, runs it, and returns it. */
  private Task awaitStartedTask(Service svc) {
    await().atMost(ofSeconds(3)).until(() -> {
      List<Task> runnable = fx.runnableTasks(svc.getId());
      return runnable.size() == 1 && runnable.get(0).getDesiredState() == TaskState.RUNNING;
    });
    Task t = fx.runnableTasks(svc.getId()).get(0);
    fx.run(t.getId(), node.getId());
    return t;
  }

  @Test
  void restartsStopAfterMaxAttemptsWithinTheWindow() {
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.ANY, 2, 3600);
    Service svc = fx.createReplicated("flaky", 1, Fixture.taskSpec(policy));

    Task first = awaitStartedTask(svc);
    fx.report(first.getId(), TaskState.FAILED);
    Task second = awaitStartedTask(svc);
    assertThat(second.getId()).isNotEqualTo(first.getId());
    fx.report(second.getId(), TaskState.FAILED);
    Task third = awaitStartedTask(svc);
    assertThat(third.getId()).isNotIn(first.getId(), second.getId());

    // Two restarts happened within the window: the third failure is final.
    fx.report(third.getId(), TaskState.FAILED);
    await().atMost(ofSeconds(3)).until(() -> fx.task(third.getId()).getDesiredState() == TaskState.SHUTDOWN);
    await().during(Duration.ofMillis(500)).atMost(ofSeconds(3))
        .until(() -> fx.runnableTasks(svc.getId()).isEmpty() && fx.tasks(svc.getId()).size() == 3);
  }

  @Test
  void restartsOutsideTheWindowDoNotCount() {
    // A one-second window: failures spaced further apart never exhaust one attempt.
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.ANY, 1, 1);
    Service svc = fx.createReplicated("slow-flaky", 1, Fixture.taskSpec(policy));

    Task first = awaitStartedTask(svc);
    fx.report(first.getId(), TaskState.FAILED);
    Task second = awaitStartedTask(svc);
    await().pollDelay(Duration.ofMillis(1200)).until(() -> true);
    fx.report(second.getId(), TaskState.FAILED);

    Task third = awaitStartedTask(svc);
    assertThat(third.getId()).isNotIn(first.getId(), second.getId());
  }

  @Test
  void onFailureDoesNotRestartCompletedTasks() {
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.ON_FAILURE, 0, 0);
    Service svc = fx.createReplicated("batch", 1, Fixture.taskSpec(policy));
    Task task = awaitStartedTask(svc);

    fx.report(task.getId(), TaskState.COMPLETE);

    await().atMost(ofSeconds(3)).until(() -> fx.task(task.getId()).getDesiredState() == TaskState.SHUTDOWN);
    await().during(Duration.ofMillis(500)).atMost(ofSeconds(3)).until(() -> fx.tasks(svc.getId()).size() == 1);
  }

  @Test
  void onFailureRestartsFailedTasks() {
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.ON_FAILURE, 0, 0);
    Service svc = fx.createReplicated("batch", 1, Fixture.taskSpec(policy));
    Task task = awaitStartedTask(svc);

    fx.report(task.getId(), TaskState.FAILED);

    Task replacement = awaitStartedTask(svc);
    assertThat(replacement.getId()).isNotEqualTo(task.getId());
  }

  @Test
  void conditionNoneNeverRestarts() {
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.NONE, 0, 0);
    Service svc = fx.createReplicated("once", 1, Fixture.taskSpec(policy));
    Task task = awaitStartedTask(svc);

    fx.report(task.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).until(() -> fx.task(task.getId()).getDesiredState() == TaskState.SHUTDOWN);
    await().during(Duration.ofMillis(500)).atMost(ofSeconds(3)).until(() -> fx.tasks(svc.getId()).size() == 1);
  }

  @Test
  void replacementWaitsForTheRestartDelay() {
    RestartPolicy policy = Fixture.restartPolicy(RestartPolicy.RestartCondition.ANY, 0, 0).toBuilder()
        .setDelay(com.google.protobuf.Duration.newBuilder().setNanos(700_000_000)).build();
    Service svc = fx.createReplicated("delayed", 1, Fixture.taskSpec(policy));
    // The first task of a slot is created desired RUNNING; only replacements are delayed.
    Task task = awaitStartedTask(svc);

    fx.report(task.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 1
        && fx.runnableTasks(svc.getId()).get(0).getDesiredState() == TaskState.RUNNING);
    Task started = fx.runnableTasks(svc.getId()).get(0);
    // Created desired READY, moved to RUNNING by the delayed start no earlier than the delay.
    Duration waited = Duration.between(Tasks.toInstant(started.getMeta().getCreatedAt()),
        Tasks.toInstant(started.getMeta().getUpdatedAt()));
    assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(700));
  }
}
