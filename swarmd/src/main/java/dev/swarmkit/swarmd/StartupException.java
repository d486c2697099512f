package dev.swarmkit.swarmd;

/**
 * A start-up, join or connection failure an operator can act on. Its message is the one line swarmd
 * prints: what failed (the flag and value the user gave), why, and what to try.
 */
public final class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message, null, false, false);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
