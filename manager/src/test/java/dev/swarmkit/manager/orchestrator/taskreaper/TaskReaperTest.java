package dev.swarmkit.manager.orchestrator.taskreaper;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskReaperTest {

  private final Fixture fx = new Fixture();
  private TaskReaper reaper;

  @AfterEach
  void stop() {
    if (reaper != null) {
      reaper.stop();
    }
  }

  private void startReaper() {
    reaper = new TaskReaper(fx.store);
    reaper.start();
  }

  /** A task of the service's slot with the given states; status timestamps increase with each call. */
  private Task slotTask(Service svc, long slot, String nodeId, TaskState observed, TaskState desired) {
    Task t = Tasks.newTask(null, svc, slot, nodeId).toBuilder().setDesiredState(desired).build();
    t = t.toBuilder().setStatus(t.getStatus().toBuilder().setState(observed)).build();
    fx.createTask(t);
    await().pollDelay(Duration.ofMillis(5)).until(() -> true);
    return t;
  }

  @Test
  void keepsTheRetentionLimitOfTasksPerSlot() {
    fx.createCluster(2);
    Node node = fx.createNode("a");
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    startReaper();

    List<Task> slot1 = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      slot1.add(slotTask(svc, 1, node.getId(), TaskState.FAILED, TaskState.SHUTDOWN));
    }
    Task running = slotTask(svc, 1, node.getId(), TaskState.RUNNING, TaskState.RUNNING);
    Task otherSlot = slotTask(svc, 2, node.getId(), TaskState.FAILED, TaskState.SHUTDOWN);

    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(fx.tasks(svc.getId()))
        .extracting(Task::getId)
        .containsExactlyInAnyOrder(slot1.get(3).getId(), running.getId(), otherSlot.getId()));
  }

  @Test
  void defaultRetentionIsFiveWithoutACluster() {
    Node node = fx.createNode("a");
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately()));
    startReaper();

    List<Task> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      created.add(slotTask(svc, 1, node.getId(), TaskState.FAILED, TaskState.SHUTDOWN));
    }

    await().atMost(ofSeconds(3)).until(() -> fx.tasks(svc.getId()).size() == 5);
    assertThat(fx.task(created.get(0).getId())).isNull();
    assertThat(fx.task(created.get(1).getId())).isNull();
    assertThat(fx.task(created.get(6).getId())).isNotNull();
  }

  @Test
  void removesTasksOfDeletedServicesOnceTheyAreDown() {
    Node node = fx.createNode("a");
    Service svc = fx.createReplicated("web", 3, Fixture.taskSpec(Fixture.restartImmediately()));
    Task unassigned = slotTask(svc, 1, "", TaskState.PENDING, TaskState.RUNNING);
    Task running = slotTask(svc, 2, node.getId(), TaskState.RUNNING, TaskState.RUNNING);
    Task stopped = slotTask(svc, 3, node.getId(), TaskState.SHUTDOWN, TaskState.SHUTDOWN);
    startReaper();

    fx.deleteService(svc.getId());
    // What the orchestrator does on service deletion:
    dev.swarmkit.manager.orchestrator.Services.setTasksRemove(fx.store, svc.getId());

    await().atMost(ofSeconds(3)).untilAsserted(() ->
        assertThat(fx.tasks(svc.getId())).extracting(Task::getId).containsExactly(running.getId()));
    assertThat(fx.task(unassigned.getId())).isNull();
    assertThat(fx.task(stopped.getId())).isNull();

    // The agent reports the task stopped: now it goes too.
    fx.report(running.getId(), TaskState.SHUTDOWN);
    await().atMost(ofSeconds(3)).until(() -> fx.tasks(svc.getId()).isEmpty());
  }

  @Test
  void removesTasksMarkedRemoveBeforeItStarted() {
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately()));
    Task done = slotTask(svc, 4, "", TaskState.PENDING, TaskState.REMOVE);

    startReaper();

    await().atMost(ofSeconds(3)).until(() -> fx.task(done.getId()) == null);
  }
}
