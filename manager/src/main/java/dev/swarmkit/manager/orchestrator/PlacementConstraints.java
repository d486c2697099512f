package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Node;
import dev.swarmkit.scheduler.Constraint;
import java.util.List;

/**
 * A service's placement constraints ({@code node.labels.zone==east}, {@code node.role!=manager}) as
 * the orchestrators use them, parsed once per service by the scheduler's {@link Constraint} so that
 * orchestrators, constraint enforcer and scheduler agree on what a constraint means.
 */
public final class PlacementConstraints {

  private static final PlacementConstraints NONE = new PlacementConstraints(List.of());

  private final List<Constraint> constraints;

  private PlacementConstraints(List<Constraint> constraints) {
    this.constraints = constraints;
  }

  public static PlacementConstraints none() {
    return NONE;
  }

  /**
   * Parses constraint expressions.
   *
   * @throws IllegalArgumentException with upstream's wording for malformed expressions
   */
  public static PlacementConstraints parse(List<String> expressions) {
    return expressions.isEmpty() ? NONE : new PlacementConstraints(Constraint.parse(expressions));
  }

  /**
   * Parses leniently: as upstream's orchestrators ignore the parse error, malformed expressions
   * constrain nothing. The control API rejects them when services are created or updated.
   */
  public static PlacementConstraints parseLenient(List<String> expressions) {
    try {
      return parse(expressions);
    } catch (IllegalArgumentException e) {
      return NONE;
    }
  }

  public boolean isEmpty() {
    return constraints.isEmpty();
  }

  public boolean matches(Node node) {
    return Constraint.nodeMatches(constraints, node);
  }
}
