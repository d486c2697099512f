package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;

/** One check of whether a task may run on a node; each filter can explain its failures. */
interface Filter {

  /**
   * Prepares the filter for {@code task}; returns false when the filter does not apply to it (for
   * example, no constraints), in which case {@link #check} is not called.
   */
  boolean setTask(Task task);

  /** Whether the task given to {@link #setTask} can run on {@code node}. */
  boolean check(NodeInfo node);

  /** What failing on {@code nodes} nodes means, as upstream words it. */
  String explain(int nodes);

  /** "1 node" / "N nodes". */
  static String nodes(int n) {
    return n == 1 ? "1 node" : n + " nodes";
  }
}
