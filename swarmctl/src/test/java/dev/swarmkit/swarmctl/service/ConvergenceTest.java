package dev.swarmkit.swarmctl.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.swarmkit.api.GlobalService;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What --detach=false shows and when it stops, from one look at a service and its tasks. */
class ConvergenceTest {
    private static Service replicated(long replicas) {
        ServiceSpec.Builder spec = ServiceSpec.newBuilder()
                .setReplicated(ReplicatedService.newBuilder().setReplicas(replicas));
        spec.getTaskBuilder().getContainerBuilder().setImage("local/busybox:1");
        return Service.newBuilder().setId("svc").setSpec(spec).setSpecVersion(Version.newBuilder().setIndex(7)).build();
    }

    private static Task task(String id, long slot, TaskState state, TaskState desired, Service service) {
        return Task.newBuilder().setId(id).setServiceId("svc").setSlot(slot).setNodeId("node-" + slot)
                .setSpec(service.getSpec().getTask()).setSpecVersion(service.getSpecVersion())
                .setDesiredState(desired)
                .setMeta(Meta.newBuilder().setCreatedAt(Timestamp.newBuilder().setSeconds(slot)))
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    @Test
    void printsEachSlotAndConvergesWhenEverySlotRuns() {
        Service service = replicated(2);
        Convergence.Progress starting = Convergence.Progress.of(service, List.of(
                task("a", 1, TaskState.RUNNING, TaskState.RUNNING, service),
                task("b", 2, TaskState.PREPARING, TaskState.RUNNING, service)));
        assertThat(starting.render()).isEqualTo("overall progress: 1 out of 2 tasks\n1/2: running\n2/2: preparing\n");
        assertThat(starting.converged()).isFalse();
        assertThat(starting.failure()).isNull();

        Convergence.Progress done = Convergence.Progress.of(service, List.of(
                task("a", 1, TaskState.RUNNING, TaskState.RUNNING, service),
                task("b", 2, TaskState.RUNNING, TaskState.RUNNING, service)));
        assertThat(done.converged()).isTrue();
        assertThat(done.render()).startsWith("overall progress: 2 out of 2 tasks\n");
    }

    @Test
    void aSlotWithoutATaskYetIsShownAndHoldsConvergence() {
        Service service = replicated(2);
        Convergence.Progress progress = Convergence.Progress.of(service, List.of(
                task("a", 1, TaskState.RUNNING, TaskState.RUNNING, service)));
        assertThat(progress.render()).isEqualTo("overall progress: 1 out of 2 tasks\n1/2: running\n2/2: waiting for a task\n");
        assertThat(progress.converged()).isFalse();
    }

    @Test
    void aScaledDownTaskStillRunningHoldsConvergence() {
        Service service = replicated(1);
        List<Task> tasks = List.of(task("a", 1, TaskState.RUNNING, TaskState.RUNNING, service),
                task("b", 2, TaskState.RUNNING, TaskState.SHUTDOWN, service));
        assertThat(Convergence.Progress.of(service, tasks).converged()).isFalse();
        List<Task> stopped = List.of(tasks.get(0), task("b", 2, TaskState.SHUTDOWN, TaskState.SHUTDOWN, service));
        assertThat(Convergence.Progress.of(service, stopped).converged()).isTrue();
    }

    @Test
    void aTaskOfAnOlderSpecCountsOnlyWhenItsTaskSpecIsTheCurrentOne() {
        Service service = replicated(1);
        Task sameSpec = task("a", 1, TaskState.RUNNING, TaskState.RUNNING, service).toBuilder()
                .setSpecVersion(Version.newBuilder().setIndex(3)).build();
        assertThat(Convergence.Progress.of(service, List.of(sameSpec)).converged()).isTrue();
        Task otherImage = sameSpec.toBuilder().setSpec(sameSpec.getSpec().toBuilder()
                .setContainer(sameSpec.getSpec().getContainer().toBuilder().setImage("old"))).build();
        assertThat(Convergence.Progress.of(service, List.of(otherImage)).converged()).isFalse();
    }

    @Test
    void aRunningUpdateHoldsConvergenceAndAPausedOneFails() {
        Service base = replicated(1);
        Task running = task("a", 1, TaskState.RUNNING, TaskState.RUNNING, base);
        Service updating = base.toBuilder().setUpdateStatus(UpdateStatus.newBuilder()
                .setState(UpdateStatus.UpdateState.UPDATING).setMessage("update in progress")).build();
        Convergence.Progress progress = Convergence.Progress.of(updating, List.of(running));
        assertThat(progress.converged()).isFalse();
        assertThat(progress.render()).endsWith("update: updating: update in progress\n");

        Service paused = base.toBuilder().setUpdateStatus(UpdateStatus.newBuilder()
                .setState(UpdateStatus.UpdateState.PAUSED).setMessage("task a failed")).build();
        assertThat(Convergence.Progress.of(paused, List.of(running)).failure()).isEqualTo("update paused: task a failed");

        Service completed = base.toBuilder().setUpdateStatus(UpdateStatus.newBuilder()
                .setState(UpdateStatus.UpdateState.COMPLETED)).build();
        assertThat(Convergence.Progress.of(completed, List.of(running)).converged()).isTrue();
    }

    @Test
    void aRejectedTaskFailsOnlyWhenTheRestartPolicyWillNotReplaceIt() {
        Service restartsByDefault = replicated(1);
        Task rejected = task("a", 1, TaskState.REJECTED, TaskState.RUNNING, restartsByDefault).toBuilder()
                .setStatus(TaskStatus.newBuilder().setState(TaskState.REJECTED).setErr("no such image")).build();
        Convergence.Progress waiting = Convergence.Progress.of(restartsByDefault, List.of(rejected));
        assertThat(waiting.failure()).isNull();
        assertThat(waiting.render()).contains("1/1: rejected (no such image)");

        ServiceSpec.Builder spec = restartsByDefault.getSpec().toBuilder();
        spec.getTaskBuilder().setRestart(RestartPolicy.newBuilder().setCondition(RestartPolicy.RestartCondition.NONE));
        Service noRestart = restartsByDefault.toBuilder().setSpec(spec).build();
        assertThat(Convergence.Progress.of(noRestart, List.of(rejected)).failure())
                .isEqualTo("task a rejected: no such image, and the restart policy will not replace it");
    }

    @Test
    void aGlobalServiceShowsOneLinePerNode() {
        ServiceSpec.Builder spec = ServiceSpec.newBuilder().setGlobal(GlobalService.getDefaultInstance());
        Service service = Service.newBuilder().setId("svc").setSpec(spec).build();
        Convergence.Progress progress = Convergence.Progress.of(service, List.of(
                task("a", 0, TaskState.RUNNING, TaskState.RUNNING, service).toBuilder().setNodeId("n1").build(),
                task("b", 0, TaskState.STARTING, TaskState.RUNNING, service).toBuilder().setNodeId("n2").build()));
        assertThat(progress.render()).isEqualTo("overall progress: 1 out of 2 tasks\nn1: running\nn2: starting\n");
        assertThat(progress.converged()).isFalse();
    }
}
