package dev.swarmkit.manager.orchestrator.jobs;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.List;

/** Task creation and the writes both job reconcilers share. */
final class JobTasks {

  private JobTasks() {}

  /** The iteration the service is on; a job without a job status yet is on iteration 0. */
  static long iteration(Service service) {
    return service.getJobStatus().getJobIteration().getIndex();
  }

  /** Whether the task was created for the given iteration (tasks of non-job services carry none). */
  static boolean ofIteration(Task task, long iteration) {
    return task.hasJobIteration() && task.getJobIteration().getIndex() == iteration;
  }

  /** A new task of the service's current iteration, desired to run to completion. */
  static Task newJobTask(Cluster cluster, Service service, long slot, String nodeId) {
    return Tasks.newTask(cluster, service, slot, nodeId).toBuilder()
        .setJobIteration(Version.newBuilder().setIndex(iteration(service)))
        .setDesiredState(TaskState.COMPLETE)
        .build();
  }

  static void create(Store.Batch batch, Task task) {
    StoreWrites.tryUpdate(batch, "create job task " + task.getId(), tx -> {
      // The service may have been deleted since it was read.
      if (tx.get(Table.SERVICES, task.getServiceId()).isPresent()) {
        tx.create(Table.TASKS, task);
      }
    });
  }

  /** Hands failed tasks still desired to complete to the restart supervisor. */
  static void restart(Store.Batch batch, RestartSupervisor restarts, Cluster cluster, Service service,
      List<String> taskIds) {
    for (String id : taskIds) {
      StoreWrites.tryUpdate(batch, "restart job task " + id, tx -> {
        Task t = tx.get(Table.TASKS, id).orElse(null);
        if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.COMPLETE)) {
          return;
        }
        restarts.restart(tx, cluster, service, t);
      });
    }
  }

  /** Moves tasks to desired state {@code target} unless they are already there or beyond. */
  static void setDesired(Store.Batch batch, List<String> taskIds, TaskState target) {
    for (String id : taskIds) {
      StoreWrites.tryUpdate(batch, "set desired state " + target + " on job task " + id, tx -> {
        Task t = tx.get(Table.TASKS, id).orElse(null);
        if (t != null && TaskStates.isBefore(t.getDesiredState(), target)) {
          tx.update(Table.TASKS, t.toBuilder().setDesiredState(target).build());
        }
      });
    }
  }
}
