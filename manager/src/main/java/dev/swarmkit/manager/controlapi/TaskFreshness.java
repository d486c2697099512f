package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.scheduler.Constraint;

/** Whether a task still runs its service's current spec (the up_to_date task filter; upstream's IsTaskDirty). */
final class TaskFreshness {

  private TaskFreshness() {}

  /** {@code node} is the task's node, or null if it has none (or it is gone). */
  static boolean isUpToDate(Service service, Task task, Node node) {
    if (task.hasSpecVersion() && service.hasSpecVersion()
        && service.getSpecVersion().equals(task.getSpecVersion())) {
      return true;
    }
    TaskSpec wanted = service.getSpec().getTask();
    // New placement constraints alone do not move a task whose node still satisfies them.
    if (onlyPlacementDiffers(wanted, task.getSpec()) && node != null && satisfies(node, wanted)) {
      return true;
    }
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

  private static boolean satisfies(Node node, TaskSpec spec) {
    try {
      return Constraint.nodeMatches(Constraint.parse(spec.getPlacement().getConstraintsList()), node);
    } catch (IllegalArgumentException e) {
      // As upstream: constraints that do not parse constrain nothing.
      return true;
    }
  }

  private static boolean onlyPlacementDiffers(TaskSpec wanted, TaskSpec actual) {
    if (wanted.getPlacement().equals(actual.getPlacement()) && wanted.hasPlacement() == actual.hasPlacement()) {
      return false;
    }
    TaskSpec.Builder aligned = wanted.toBuilder();
    if (actual.hasPlacement()) {
      aligned.setPlacement(actual.getPlacement());
    } else {
      aligned.clearPlacement();
    }
    return aligned.build().equals(actual);
  }
}
