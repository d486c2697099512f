package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import java.util.Locale;
import java.util.Optional;

/** Display names of tasks and runtime names of task specs, as upstream's naming package. */
final class TaskNaming {

  private TaskNaming() {}

  /** The task's name, or "service.slot.id" (node ID instead of slot for global tasks). */
  static String name(Task task) {
    if (!task.getAnnotations().getName().isEmpty()) {
      return task.getAnnotations().getName();
    }
    String slot = task.getSlot() == 0 ? task.getNodeId() : Long.toUnsignedString(task.getSlot());
    return task.getServiceAnnotations().getName() + "." + slot + "." + task.getId();
  }

  static Optional<String> runtime(TaskSpec spec) {
    return switch (spec.getRuntimeCase()) {
      case ATTACHMENT -> Optional.of("attachment");
      case CONTAINER -> Optional.of("container");
      case GENERIC -> Optional.of(spec.getGeneric().getKind().toLowerCase(Locale.ROOT));
      default -> Optional.empty();
    };
  }
}
