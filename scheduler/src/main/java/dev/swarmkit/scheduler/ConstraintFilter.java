package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;
import java.util.List;

/** The node must satisfy the task's placement constraints. */
final class ConstraintFilter implements Filter {

  private List<Constraint> constraints;

  @Override
  public boolean setTask(Task task) {
    List<String> expressions = task.getSpec().getPlacement().getConstraintsList();
    if (expressions.isEmpty()) {
      return false;
    }
    try {
      constraints = Constraint.parse(expressions);
    } catch (IllegalArgumentException e) {
      // The control API validates constraints; one that slips through disables the filter, as upstream.
      return false;
    }
    return true;
  }

  @Override
  public boolean check(NodeInfo n) {
    return Constraint.nodeMatches(constraints, n.node());
  }

  @Override
  public String explain(int nodes) {
    return "scheduling constraints not satisfied on " + Filter.nodes(nodes);
  }
}
