package dev.swarmkit.ca;

/** A certificate signing request that cannot be signed; the message says why. */
public final class InvalidCsrException extends Exception {
  public InvalidCsrException(String message) {
    super(message);
  }
}
