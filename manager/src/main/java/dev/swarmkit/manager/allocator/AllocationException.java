package dev.swarmkit.manager.allocator;

/** An allocation that cannot be made now (pool exhausted, port taken, network not allocated yet). */
public final class AllocationException extends Exception {

  public AllocationException(String message) {
    super(message);
  }
}
