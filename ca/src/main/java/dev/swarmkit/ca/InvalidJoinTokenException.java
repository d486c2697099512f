package dev.swarmkit.ca;

/** A join token that is not in the SWMTKN format (upstream's message: "invalid join token"). */
public final class InvalidJoinTokenException extends Exception {
  public InvalidJoinTokenException() {
    super("invalid join token");
  }
}
