package dev.swarmkit.ca;

import java.util.Arrays;

/**
 * Lets TLS servers of this JVM accept any TLS server name (SNI) a client sends. Upstream's Go
 * clients dial the control socket with the socket's path as server name; the JDK parses the SNI
 * extension of every ClientHello into an {@code SNIHostName} and aborts the handshake with alert
 * {@code illegal_parameter} when the name is no valid DNS name, before any {@code SNIMatcher} runs.
 * Our servers present one certificate whatever the name, so they ignore the extension: the JDK's
 * {@code jdk.tls.server.disableExtensions} switch, which it reads once, when its TLS server classes
 * load. {@link #install()} must therefore run before the first TLS handshake of the process; {@link
 * TlsContexts} calls it, and {@code swarmd} calls it first thing.
 */
public final class ServerNameTolerance {

  static final String PROPERTY = "jdk.tls.server.disableExtensions";
  private static final String SERVER_NAME = "server_name";

  private ServerNameTolerance() {}

  /** Adds {@code server_name} to the JDK's disabled server extensions (keeping any set before). */
  public static synchronized void install() {
    String current = System.getProperty(PROPERTY, "").trim();
    boolean present = Arrays.stream(current.split(",")).map(String::trim).anyMatch(SERVER_NAME::equalsIgnoreCase);
    if (!present) {
      System.setProperty(PROPERTY, current.isEmpty() ? SERVER_NAME : current + "," + SERVER_NAME);
    }
  }
}
