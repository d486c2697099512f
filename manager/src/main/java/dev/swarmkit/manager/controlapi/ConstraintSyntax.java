package dev.swarmkit.manager.controlapi;

import dev.swarmkit.scheduler.Constraint;
import java.util.List;

/** Placement constraint syntax check for service specs: the scheduler's parser, reported as a status. */
final class ConstraintSyntax {

  private ConstraintSyntax() {}

  /** Throws INVALID_ARGUMENT with upstream's message for the first malformed constraint. */
  static void check(List<String> constraints) {
    try {
      Constraint.parse(constraints);
    } catch (IllegalArgumentException e) {
      throw ApiErrors.invalidArgument(e.getMessage());
    }
  }
}
