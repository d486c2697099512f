package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ListServiceStatusesResponse;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;

/**
 * A service's desired versus running (and, for jobs, completed) task counts. Only tasks of a job's
 * current iteration count. A service that no longer exists is reported with zero desired tasks.
 */
final class ServiceStatuses {

  private ServiceStatuses() {}

  static ListServiceStatusesResponse.ServiceStatus of(ReadTx tx, String id) {
    var status = ListServiceStatusesResponse.ServiceStatus.newBuilder().setServiceId(id);
    boolean global = false;
    Version jobIteration = null;
    long desired = 0;
    Service service = tx.get(Table.SERVICES, id).orElse(null);
    if (service != null) {
      ServiceSpec spec = service.getSpec();
      switch (spec.getModeCase()) {
        case REPLICATED -> desired = spec.getReplicated().getReplicas();
        case REPLICATED_JOB -> desired = spec.getReplicatedJob().getMaxConcurrent();
        default -> global = true;
      }
      if (service.hasJobStatus()) {
        jobIteration = service.getJobStatus().getJobIteration();
      }
    }
    long running = 0;
    long completed = 0;
    for (Task task : tx.find(Table.TASKS, By.serviceId(id))) {
      if (jobIteration != null) {
        // Tasks of earlier executions of a job do not count.
        if (!task.hasJobIteration() || task.getJobIteration().getIndex() != jobIteration.getIndex()) {
          continue;
        }
        if (task.getStatus().getState() == TaskState.COMPLETE) {
          completed++;
        }
      }
      if (task.getStatus().getState() == TaskState.RUNNING) {
        running++;
      }
      if (global && task.getDesiredState() == TaskState.RUNNING) {
        desired++;
      }
      if (global && task.getStatus().getState() != TaskState.COMPLETE
          && task.getDesiredState() == TaskState.COMPLETE) {
        desired++;
      }
    }
    return status.setDesiredTasks(desired).setRunningTasks(running).setCompletedTasks(completed).build();
  }
}
