package dev.swarmkit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code openssl s_client} as a stand-in for a Go TLS client: it sends exactly the server name (SNI)
 * and ALPN it is told, as Go's crypto/tls does, where the JDK's client would refuse such names.
 */
final class OpensslClient {

  private OpensslClient() {}

  static boolean available() {
    return Files.isExecutable(Path.of("/usr/bin/openssl")) || Files.isExecutable(Path.of("/usr/local/bin/openssl"));
  }

  record Handshake(int exitCode, String output) {
    /** The server completed the handshake and chose HTTP/2, as a gRPC client needs. */
    boolean negotiatedH2() {
      return exitCode == 0 && output.contains("ALPN protocol: h2") && !output.contains("alert");
    }
  }

  /** Handshakes with a Unix socket server, sending {@code serverName} as SNI. */
  static Handshake unixSocket(Path socket, String serverName) throws IOException, InterruptedException {
    return run(List.of("-unix", socket.toString()), serverName);
  }

  /** Handshakes with a TCP server, sending {@code serverName} as SNI. */
  static Handshake tcp(String hostPort, String serverName) throws IOException, InterruptedException {
    return run(List.of("-connect", hostPort), serverName);
  }

  private static Handshake run(List<String> target, String serverName) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client"));
    command.addAll(target);
    command.addAll(List.of("-servername", serverName, "-alpn", "h2"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl s_client did not finish: " + command);
    }
    return new Handshake(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
