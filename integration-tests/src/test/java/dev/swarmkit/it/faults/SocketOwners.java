package dev.swarmkit.it.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Which of the swarm's processes opened a TCP connection, from {@code /proc}: the connection's
 * client end names a socket inode, and the process holding that inode is the source node. This lets
 * one proxy per destination node cut the links from some peers only.
 */
final class SocketOwners {

  private final Map<String, Long> pids = new ConcurrentHashMap<>();

  void register(String hostname, long pid) {
    pids.put(hostname, pid);
  }

  /** The hostname of the process whose socket has local port {@code clientPort} and remote port {@code serverPort}. */
  Optional<String> ownerOf(int clientPort, int serverPort) {
    Optional<String> inode = inodeOf(clientPort, serverPort);
    if (inode.isEmpty()) {
      return Optional.empty();
    }
    String target = "socket:[" + inode.get() + "]";
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      Path fds = Path.of("/proc", Long.toString(e.getValue()), "fd");
      try (Stream<Path> list = Files.list(fds)) {
        boolean owns = list.anyMatch(fd -> {
          try {
            return Files.readSymbolicLink(fd).toString().equals(target);
          } catch (IOException gone) {
            return false;
          }
        });
        if (owns) {
          return Optional.of(e.getKey());
        }
      } catch (IOException | java.io.UncheckedIOException exited) {
        // the process is gone
      }
    }
    return Optional.empty();
  }

  private static Optional<String> inodeOf(int clientPort, int serverPort) {
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue;
      }
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && port(f[1]) == clientPort && port(f[2]) == serverPort) {
          return Optional.of(f[9]);
        }
      }
    }
    return Optional.empty();
  }

  private static int port(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
  }
}
