package dev.swarmkit.agent.secrets;

/** A secret or config a task needs is not available to it. */
public final class DependencyException extends Exception {
  public DependencyException(String message) {
    super(message);
  }
}
