package dev.swarmkit.manager.orchestrator.jobs;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.GlobalJob;
import dev.swarmkit.api.JobStatus;
import dev.swarmkit.api.ReplicatedJob;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.store.Table;
import java.util.List;
import java.util.stream.Collectors;

/** Job services in a real store, with the scheduler's and agents' parts played by the test. */
final class JobFixture {

  final Fixture fx = new Fixture();

  Service createReplicatedJob(String name, long maxConcurrent, long totalCompletions, TaskSpec task) {
    return createJob(ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name))
        .setTask(task)
        .setReplicatedJob(ReplicatedJob.newBuilder()
            .setMaxConcurrent(maxConcurrent)
            .setTotalCompletions(totalCompletions))
        .build());
  }

  Service createGlobalJob(String name, TaskSpec task) {
    return createJob(ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name))
        .setTask(task)
        .setGlobalJob(GlobalJob.getDefaultInstance())
        .build());
  }

  /** As the control API creates a job: with a job status on iteration 0. */
  private Service createJob(ServiceSpec spec) {
    Service s = Service.newBuilder()
        .setId(Identity.newId())
        .setSpec(spec)
        .setSpecVersion(Version.newBuilder().setIndex(1))
        .setJobStatus(JobStatus.newBuilder().setLastExecution(dev.swarmkit.manager.orchestrator.Tasks.now()))
        .build();
    fx.store.update(tx -> tx.create(Table.SERVICES, s));
    return fx.service(s.getId());
  }

  /** As the control API updates a job: the next iteration, run anew. */
  void startNextIteration(String serviceId) {
    fx.updateService(serviceId, b -> {
      long next = b.getJobStatus().getJobIteration().getIndex() + 1;
      b.getJobStatusBuilder().setJobIteration(Version.newBuilder().setIndex(next))
          .setLastExecution(dev.swarmkit.manager.orchestrator.Tasks.now());
      return b;
    });
  }

  /** Tasks of the service desired to run to completion that have not completed yet. */
  List<Task> unfinished(String serviceId) {
    return fx.tasks(serviceId).stream().filter(JobFixture::isUnfinished).collect(Collectors.toList());
  }

  static boolean isUnfinished(Task t) {
    return TaskStates.isAtMost(t.getDesiredState(), TaskState.COMPLETE) && t.getStatus().getState() != TaskState.COMPLETE;
  }

  List<Task> inState(String serviceId, TaskState state) {
    return fx.tasks(serviceId).stream().filter(t -> t.getStatus().getState() == state).collect(Collectors.toList());
  }

  /**
   * Tasks the agent may start now: desired to complete (not waiting for a delayed start), new or
   * pending (this fixture plays allocator and scheduler).
   */
  List<Task> startable(String serviceId) {
    return fx.tasks(serviceId).stream()
        .filter(t -> t.getDesiredState() == TaskState.COMPLETE && TaskStates.isAtMost(t.getStatus().getState(), TaskState.PENDING))
        .collect(Collectors.toList());
  }

  /** Plays scheduler and agent: the task runs on the node and exits with {@code end}. */
  void runTo(Task task, String nodeId, TaskState end) {
    fx.run(task.getId(), nodeId);
    fx.report(task.getId(), nodeId, end);
  }

  /**
   * Waits until the orchestrator has handled every event committed before this call: it handles
   * events in order, so once a fresh job got its task, everything earlier was handled too.
   */
  void awaitOrchestratorCaughtUp() {
    Service barrier = createReplicatedJob("barrier-" + Identity.newId(), 1, 1, TaskSpec.getDefaultInstance());
    await().atMost(ofSeconds(3)).untilAsserted(() -> assertThat(fx.tasks(barrier.getId())).hasSize(1));
  }
}
