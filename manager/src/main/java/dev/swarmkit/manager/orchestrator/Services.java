package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Service-mode tests and service-wide task changes shared by the orchestrators. */
public final class Services {

  private static final Logger log = LoggerFactory.getLogger(Services.class);

  private Services() {}

  public static boolean isReplicated(Service service) {
    return service != null && service.getSpec().getModeCase() == ServiceSpec.ModeCase.REPLICATED;
  }

  public static boolean isGlobal(Service service) {
    return service != null && service.getSpec().getModeCase() == ServiceSpec.ModeCase.GLOBAL;
  }

  public static boolean isReplicatedJob(Service service) {
    return service != null && service.getSpec().getModeCase() == ServiceSpec.ModeCase.REPLICATED_JOB;
  }

  public static boolean isGlobalJob(Service service) {
    return service != null && service.getSpec().getModeCase() == ServiceSpec.ModeCase.GLOBAL_JOB;
  }

  /**
   * Sets every task of a deleted service to desired state REMOVE, so agents stop them and the task
   * reaper deletes them afterwards. Desired states never move backwards.
   */
  public static void setTasksRemove(Store store, String serviceId) {
    List<Task> tasks = store.view(tx -> tx.find(Table.TASKS, By.serviceId(serviceId)));
    StoreWrites.tryBatch(store, "remove tasks of service " + serviceId, batch -> {
      for (Task task : tasks) {
        StoreWrites.tryUpdate(batch, "set desired state REMOVE on task " + task.getId(), tx -> {
          Task latest = tx.get(Table.TASKS, task.getId()).orElse(null);
          if (latest == null) {
            return;
          }
          if (TaskStates.isAfter(latest.getDesiredState(), TaskState.REMOVE)) {
            log.warn("cannot update task {} in desired state {} to an earlier desired state {}",
                latest.getId(), latest.getDesiredState(), TaskState.REMOVE);
            return;
          }
          tx.update(Table.TASKS, latest.toBuilder().setDesiredState(TaskState.REMOVE).build());
        });
      }
    });
  }
}
