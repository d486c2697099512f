package dev.swarmkit.manager.orchestrator.update;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateConfig;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.replicated.ReplicatedOrchestrator;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Service updates rolled out by the replicated orchestrator's updater. */
class RollingUpdateTest {

  private final Fixture fx = new Fixture();
  private ReplicatedOrchestrator orchestrator;
  private Node node;

  @BeforeEach
  void start() {
    node = fx.createNode("a");
    orchestrator = new ReplicatedOrchestrator(fx.store, new RestartSupervisor(fx.store, Duration.ofSeconds(5)));
    orchestrator.start();
  }

  @AfterEach
  void stop() {
    orchestrator.stop();
  }

  private List<Task> withImage(Service svc, String image) {
    return fx.tasks(svc.getId()).stream()
        .filter(t -> t.getSpec().getContainer().getImage().equals(image))
        .collect(Collectors.toList());
  }

  private void changeImage(Service svc, String image) {
    fx.updateService(svc.getId(), b -> {
      b.setPreviousSpec(b.getSpec()).setPreviousSpecVersion(b.getSpecVersion());
      b.getSpecBuilder().getTaskBuilder().getContainerBuilder().setImage(image);
      return b.setSpecVersion(Version.newBuilder().setIndex(b.getSpecVersion().getIndex() + 1));
    });
  }

  @Test
  void replacesOneSlotAtATimeStoppingTheOldTaskFirst() {
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    fx.updateService(svc.getId(), b -> {
      b.getSpecBuilder().setUpdate(UpdateConfig.newBuilder().setParallelism(1)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setNanos(100_000_000)));
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    fx.runnableTasks(svc.getId()).forEach(t -> fx.run(t.getId(), node.getId()));

    changeImage(svc, "busybox:2");

    // One slot at a time: a replacement exists for one slot, the other old task still runs.
    await().atMost(ofSeconds(3)).until(() -> withImage(svc, "busybox:2").size() == 1);
    assertThat(fx.service(svc.getId()).getUpdateStatus().getState()).isEqualTo(UpdateStatus.UpdateState.UPDATING);
    Task firstNew = withImage(svc, "busybox:2").get(0);
    Task firstOld = withImage(svc, "busybox:latest").stream()
        .filter(t -> t.getSlot() == firstNew.getSlot()).findFirst().orElseThrow();
    assertThat(firstOld.getDesiredState()).isEqualTo(TaskState.SHUTDOWN);
    assertThat(firstNew.getDesiredState()).isEqualTo(TaskState.READY);
    assertThat(withImage(svc, "busybox:latest").stream().filter(t -> t.getSlot() != firstNew.getSlot()))
        .allSatisfy(t -> assertThat(t.getDesiredState()).isEqualTo(TaskState.RUNNING));

    // Stop-first: the replacement starts once the old task has stopped.
    fx.report(firstOld.getId(), TaskState.SHUTDOWN);
    await().atMost(ofSeconds(3)).until(() -> fx.task(firstNew.getId()).getDesiredState() == TaskState.RUNNING);
    assertThat(withImage(svc, "busybox:2")).hasSize(1);

    // Once the replacement runs, the next slot is updated.
    fx.run(firstNew.getId(), node.getId());
    await().atMost(ofSeconds(3)).until(() -> withImage(svc, "busybox:2").size() == 2);
    Task secondNew = withImage(svc, "busybox:2").stream()
        .filter(t -> !t.getId().equals(firstNew.getId())).findFirst().orElseThrow();
    Task secondOld = withImage(svc, "busybox:latest").stream()
        .filter(t -> t.getSlot() == secondNew.getSlot()).findFirst().orElseThrow();
    fx.report(secondOld.getId(), TaskState.SHUTDOWN);
    await().atMost(ofSeconds(3)).until(() -> fx.task(secondNew.getId()).getDesiredState() == TaskState.RUNNING);
    fx.run(secondNew.getId(), node.getId());

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      UpdateStatus status = fx.service(svc.getId()).getUpdateStatus();
      assertThat(status.getState()).isEqualTo(UpdateStatus.UpdateState.COMPLETED);
      assertThat(status.getMessage()).isEqualTo("update completed");
    });
    assertThat(fx.runnableTasks(svc.getId())).extracting(Task::getId)
        .containsExactlyInAnyOrder(firstNew.getId(), secondNew.getId());
  }

  @Test
  void failingReplacementPausesTheUpdate() {
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartPolicy(
        dev.swarmkit.api.RestartPolicy.RestartCondition.NONE, 0, 0)));
    fx.updateService(svc.getId(), b -> {
      b.getSpecBuilder().setUpdate(UpdateConfig.newBuilder().setParallelism(1)
          .setFailureAction(UpdateConfig.FailureAction.PAUSE)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setSeconds(5)));
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    fx.runnableTasks(svc.getId()).forEach(t -> fx.run(t.getId(), node.getId()));

    changeImage(svc, "busybox:broken");
    await().atMost(ofSeconds(3)).until(() -> withImage(svc, "busybox:broken").size() == 1);
    Task replacement = withImage(svc, "busybox:broken").get(0);
    Task old = withImage(svc, "busybox:latest").stream()
        .filter(t -> t.getSlot() == replacement.getSlot()).findFirst().orElseThrow();
    fx.report(old.getId(), TaskState.SHUTDOWN);
    await().atMost(ofSeconds(3)).until(() -> fx.task(replacement.getId()).getDesiredState() == TaskState.RUNNING);

    fx.report(replacement.getId(), node.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      UpdateStatus status = fx.service(svc.getId()).getUpdateStatus();
      assertThat(status.getState()).isEqualTo(UpdateStatus.UpdateState.PAUSED);
      assertThat(status.getMessage()).startsWith("update paused due to failure or early termination of task");
    });
    // The other slot was never touched.
    assertThat(withImage(svc, "busybox:broken")).hasSize(1);
  }

  @Test
  void failingReplacementRollsBackWhenConfiguredTo() {
    Service svc = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartPolicy(
        dev.swarmkit.api.RestartPolicy.RestartCondition.NONE, 0, 0)));
    fx.updateService(svc.getId(), b -> {
      b.getSpecBuilder().setUpdate(UpdateConfig.newBuilder().setParallelism(1)
          .setFailureAction(UpdateConfig.FailureAction.ROLLBACK)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setSeconds(5)));
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 1);
    Task old = fx.runnableTasks(svc.getId()).get(0);
    fx.run(old.getId(), node.getId());

    changeImage(svc, "busybox:broken");
    await().atMost(ofSeconds(3)).until(() -> withImage(svc, "busybox:broken").size() == 1);
    Task replacement = withImage(svc, "busybox:broken").get(0);
    fx.report(old.getId(), TaskState.SHUTDOWN);
    await().atMost(ofSeconds(3)).until(() -> fx.task(replacement.getId()).getDesiredState() == TaskState.RUNNING);

    fx.report(replacement.getId(), node.getId(), TaskState.FAILED);

    await().atMost(ofSeconds(3)).untilAsserted(() -> {
      Service s = fx.service(svc.getId());
      assertThat(s.getSpec().getTask().getContainer().getImage()).isEqualTo("busybox:latest");
      assertThat(s.hasPreviousSpec()).isFalse();
      assertThat(s.getUpdateStatus().getState())
          .isIn(UpdateStatus.UpdateState.ROLLBACK_STARTED, UpdateStatus.UpdateState.ROLLBACK_COMPLETED);
    });
    // The rollback brings the slot back on the previous image.
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(fx.runnableTasks(svc.getId()))
        .singleElement().satisfies(t -> assertThat(t.getSpec().getContainer().getImage()).isEqualTo("busybox:latest")));
  }

  @Test
  void anAutomaticRollbackEndsAndStaysRollbackCompleted() {
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartPolicy(
        dev.swarmkit.api.RestartPolicy.RestartCondition.NONE, 0, 0)));
    fx.updateService(svc.getId(), b -> {
      b.getSpecBuilder().setUpdate(UpdateConfig.newBuilder().setParallelism(1)
          .setFailureAction(UpdateConfig.FailureAction.ROLLBACK)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000)));
      b.getSpecBuilder().setRollback(UpdateConfig.newBuilder().setParallelism(0)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000)));
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    fx.runnableTasks(svc.getId()).forEach(t -> fx.run(t.getId(), node.getId()));

    changeImage(svc, "busybox:broken");
    await().atMost(ofSeconds(3)).until(() -> withImage(svc, "busybox:broken").size() == 1);
    Task replacement = withImage(svc, "busybox:broken").get(0);
    withImage(svc, "busybox:latest").stream().filter(t -> t.getSlot() == replacement.getSlot())
        .forEach(t -> fx.report(t.getId(), TaskState.SHUTDOWN));
    await().atMost(ofSeconds(3)).until(() -> fx.task(replacement.getId()).getDesiredState() == TaskState.RUNNING);
    fx.report(replacement.getId(), node.getId(), TaskState.FAILED);

    runEveryRunnableTaskUntil(svc, UpdateStatus.UpdateState.ROLLBACK_COMPLETED);
    Service rolledBack = fx.service(svc.getId());
    assertThat(rolledBack.getUpdateStatus().getMessage()).isEqualTo("rollback completed");
    assertThat(rolledBack.getSpec().getTask().getContainer().getImage()).isEqualTo("busybox:latest");
    // Later reconciliations (task reports, further monitoring) must not turn it into COMPLETED.
    fx.runnableTasks(svc.getId()).forEach(t -> fx.run(t.getId(), node.getId()));
    await().during(ofSeconds(2)).atMost(ofSeconds(4)).untilAsserted(() -> assertThat(
        fx.service(svc.getId()).getUpdateStatus().getState()).isEqualTo(UpdateStatus.UpdateState.ROLLBACK_COMPLETED));
  }

  @Test
  void aManualRollbackRunsWithTheRollbackConfigAndEndsRollbackCompleted() {
    Service svc = fx.createReplicated("web", 2, Fixture.taskSpec(Fixture.restartImmediately()));
    fx.updateService(svc.getId(), b -> {
      b.getSpecBuilder().setUpdate(UpdateConfig.newBuilder().setParallelism(1)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setNanos(100_000_000)));
      // Rollback replaces both slots at once: the update config would do one at a time.
      b.getSpecBuilder().setRollback(UpdateConfig.newBuilder().setParallelism(0)
          .setMonitor(com.google.protobuf.Duration.newBuilder().setNanos(100_000_000)));
      return b;
    });
    await().atMost(ofSeconds(3)).until(() -> fx.runnableTasks(svc.getId()).size() == 2);
    fx.runnableTasks(svc.getId()).forEach(t -> fx.run(t.getId(), node.getId()));
    changeImage(svc, "busybox:2");
    runEveryRunnableTaskUntil(svc, UpdateStatus.UpdateState.COMPLETED);

    // What UpdateService(rollback=PREVIOUS) writes (controlapi): previous spec back, ROLLBACK_STARTED.
    Service updated = fx.service(svc.getId());
    fx.updateService(svc.getId(), b -> b
        .setSpec(updated.getPreviousSpec()).setSpecVersion(updated.getPreviousSpecVersion())
        .setPreviousSpec(updated.getSpec()).setPreviousSpecVersion(updated.getSpecVersion())
        .setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateStatus.UpdateState.ROLLBACK_STARTED)
            .setMessage("manually requested rollback")));
    runEveryRunnableTaskUntil(svc, UpdateStatus.UpdateState.ROLLBACK_COMPLETED);
    assertThat(fx.runnableTasks(svc.getId()))
        .allSatisfy(t -> assertThat(t.getSpec().getContainer().getImage()).isEqualTo("busybox:latest"));
    await().during(ofSeconds(1)).atMost(ofSeconds(3)).untilAsserted(() -> assertThat(
        fx.service(svc.getId()).getUpdateStatus().getState()).isEqualTo(UpdateStatus.UpdateState.ROLLBACK_COMPLETED));
  }

  /** Plays the agent: stops tasks told to stop and runs the ones told to run, until the update state. */
  private void runEveryRunnableTaskUntil(Service svc, UpdateStatus.UpdateState state) {
    await().atMost(ofSeconds(15)).until(() -> {
      for (Task t : fx.tasks(svc.getId())) {
        if (t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState().getNumber() < TaskState.RUNNING.getNumber()) {
          fx.run(t.getId(), node.getId());
        } else if (t.getDesiredState().getNumber() > TaskState.RUNNING.getNumber()
            && t.getStatus().getState().getNumber() <= TaskState.RUNNING.getNumber()) {
          fx.report(t.getId(), TaskState.SHUTDOWN);
        }
      }
      return fx.service(svc.getId()).getUpdateStatus().getState() == state;
    });
  }
}
