package dev.swarmkit.executor.docker.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** A fresh directory on /dev/shm (a tmpfs on Linux) for one test, deleted afterwards. */
final class TestTmpfs implements AutoCloseable {

  final Path dir = Path.of("/dev/shm", "swarmd-secrets-test-" + UUID.randomUUID());

  @Override
  public void close() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
