package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;

/**
 * Whether a task still runs its service's current spec (the up_to_date task filter; upstream's
 * orchestrator.IsTaskDirty, minus its placement-only exception, which needs node constraint matching).
 */
final class TaskFreshness {

  private TaskFreshness() {}

  static boolean isUpToDate(Service service, Task task) {
    if (task.hasSpecVersion() && service.hasSpecVersion()
        && service.getSpecVersion().equals(task.getSpecVersion())) {
      return true;
    }
    TaskSpec wanted = service.getSpec().getTask();
    int state = task.getStatus().getState().getNumber();
    // A task that already has its image should not be redeployed for a pull-option change alone.
    boolean ignorePullOptions = task.getDesiredState().getNumber() <= TaskState.RUNNING_VALUE
        && state >= TaskState.READY_VALUE && state <= TaskState.RUNNING_VALUE;
    if (ignorePullOptions && wanted.hasContainer() && task.getSpec().hasContainer()) {
      var container = wanted.getContainer().toBuilder();
      if (task.getSpec().getContainer().hasPullOptions()) {
        container.setPullOptions(task.getSpec().getContainer().getPullOptions());
      } else {
        container.clearPullOptions();
      }
      wanted = wanted.toBuilder().setContainer(container).build();
    }
    if (!wanted.equals(task.getSpec())) {
      return false;
    }
    return !task.hasEndpoint() || service.getSpec().getEndpoint().equals(task.getEndpoint().getSpec());
  }
}
