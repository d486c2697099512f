package dev.swarmkit.manager.orchestrator;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The components together, across a change of leadership. */
class OrchestrationTest {

  private final Fixture fx = new Fixture();

  @Test
  void newLeaderRepairsWhatThePreviousOneLeftHalfDone() {
    Node node = fx.createNode("a");
    Service web = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    Service gone = fx.createReplicated("gone", 1, Fixture.taskSpec(Fixture.restartImmediately()));
    // Left behind: a replacement never started, a failure never handled, a task of a deleted service.
    Task waiting = Tasks.newTask(null, web, 1, "").toBuilder().setDesiredState(TaskState.READY).build();
    Task failed = Tasks.newTask(null, web, 2, node.getId());
    fx.createTask(waiting);
    fx.createTask(failed);
    fx.report(failed.getId(), node.getId(), TaskState.FAILED);
    Task orphan = Tasks.newTask(null, gone, 1, "");
    fx.createTask(orphan);
    fx.deleteService(gone.getId());

    Orchestration orchestration = new Orchestration(fx.store);
    orchestration.start();
    try {
      await().atMost(ofSeconds(3)).untilAsserted(() -> {
        assertThat(fx.task(waiting.getId()).getDesiredState()).isEqualTo(TaskState.RUNNING);
        assertThat(fx.task(failed.getId()).getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
        assertThat(fx.task(orphan.getId())).isNull();
        List<Task> runnable = fx.runnableTasks(web.getId());
        assertThat(runnable).extracting(Task::getSlot).containsExactlyInAnyOrder(1L, 2L);
      });
    } finally {
      orchestration.stop();
    }
  }

  @Test
  void stoppedComponentsNoLongerAct() {
    Orchestration orchestration = new Orchestration(fx.store);
    orchestration.start();
    orchestration.stop();

    Service web = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));

    await().during(java.time.Duration.ofMillis(300)).atMost(ofSeconds(2))
        .until(() -> fx.tasks(web.getId()).isEmpty());
  }

  @Test
  void newLeaderCountsRestartsMadeByThePreviousOne() {
    Node node = fx.createNode("a");
    dev.swarmkit.api.RestartPolicy once =
        Fixture.restartPolicy(dev.swarmkit.api.RestartPolicy.RestartCondition.ANY, 1, 0);
    Service web = fx.createReplicated("web", 1, Fixture.taskSpec(once));
    // The previous leader already restarted slot 1 once: the original failed, its replacement runs.
    Task original = Tasks.newTask(null, web, 1, node.getId()).toBuilder().setDesiredState(TaskState.SHUTDOWN).build();
    fx.createTask(original);
    fx.report(original.getId(), node.getId(), TaskState.FAILED);
    Task replacement = Tasks.newTask(null, web, 1, "");
    fx.createTask(replacement);
    fx.run(replacement.getId(), node.getId());

    Orchestration orchestration = new Orchestration(fx.store);
    orchestration.start();
    try {
      fx.report(replacement.getId(), TaskState.FAILED);

      await().atMost(ofSeconds(3)).until(() -> fx.task(replacement.getId()).getDesiredState() == TaskState.SHUTDOWN);
      // max_attempts=1 is used up: no third task.
      await().during(java.time.Duration.ofMillis(400)).atMost(ofSeconds(3))
          .until(() -> fx.tasks(web.getId()).size() == 2 && fx.runnableTasks(web.getId()).isEmpty());
    } finally {
      orchestration.stop();
    }
  }
}
