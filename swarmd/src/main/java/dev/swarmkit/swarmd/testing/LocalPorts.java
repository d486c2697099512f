package dev.swarmkit.swarmd.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for nodes that tests and benchmarks start on this machine, as separate processes or in one
 * JVM. They are picked below the
 * kernel's ephemeral range: a port the kernel hands out for port 0 is free when checked but may be
 * taken as the source port of any outgoing connection (Ratis and gRPC reconnect constantly while
 * tests kill managers) before the node binds it a second later, and the node then fails to start.
 * Below that range only another listener can take it.
 */
public final class LocalPorts {

  private static final int LOWEST = 10_000;

  private LocalPorts() {}

  /** A free port whose successor is free too: a manager's Raft transport takes the next port. */
  public static int freePair() throws IOException {
    int highest = ephemeralRangeStart() - 2;
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest);
      if (free(port) && free(port + 1)) {
        return port;
      }
    }
    throw new IOException("no free pair of adjacent ports on 127.0.0.1 between " + LOWEST + " and " + highest);
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The first port of Linux's ephemeral range (32768 unless configured otherwise). */
  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1000 ? start : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
