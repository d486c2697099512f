package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.TaskState;

/** Comparisons on the ordered {@link TaskState} values, as upstream compares the enum numerically. */
public final class TaskStates {

  private TaskStates() {}

  public static boolean isAfter(TaskState state, TaskState reference) {
    return state.getNumber() > reference.getNumber();
  }

  public static boolean isBefore(TaskState state, TaskState reference) {
    return state.getNumber() < reference.getNumber();
  }

  public static boolean isAtMost(TaskState state, TaskState reference) {
    return state.getNumber() <= reference.getNumber();
  }

  public static boolean isAtLeast(TaskState state, TaskState reference) {
    return state.getNumber() >= reference.getNumber();
  }
}
