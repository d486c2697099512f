package dev.swarmkit.executor.docker.secrets;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the directory secret and config files live in: the first candidate that is on a tmpfs, so
 * their values stay in memory and never reach a disk. A candidate on any other file system is
 * skipped; with none left, secrets cannot be given to tasks on this node and the caller says so.
 */
public final class TmpfsRoot {

  /** {@code /run} where it is a tmpfs (most systemd hosts), else {@code /dev/shm}. */
  public static final List<Path> DEFAULT_CANDIDATES =
      List.of(Path.of("/run/swarmd-secrets"), Path.of("/dev/shm/swarmd-secrets"));

  private TmpfsRoot() {}

  /** The first candidate on a tmpfs, created (mode 0700) if needed. */
  public static Path select(List<Path> candidates) throws IOException {
    List<String> rejected = new ArrayList<>();
    for (Path candidate : candidates) {
      Path existing = existingAncestor(candidate);
      if (existing == null) {
        rejected.add(candidate + " (no such directory)");
        continue;
      }
      String type = fileSystemType(existing);
      if (!"tmpfs".equals(type)) {
        rejected.add(candidate + " (" + existing + " is on " + type + ")");
        continue;
      }
      Files.createDirectories(candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      // Checked again once it exists: a file system may be mounted on the new directory's path.
      type = fileSystemType(candidate);
      if ("tmpfs".equals(type)) {
        return candidate;
      }
      rejected.add(candidate + " (on " + type + ")");
    }
    throw new IOException("no tmpfs to keep secrets and configs in: " + String.join(", ", rejected));
  }

  /** The type of the file system {@code path} is on, as the kernel's mount table names it. */
  static String fileSystemType(Path path) throws IOException {
    FileStore store = Files.getFileStore(path);
    return store.type();
  }

  private static Path existingAncestor(Path path) {
    Path p = path.toAbsolutePath();
    while (p != null && !Files.isDirectory(p)) {
      p = p.getParent();
    }
    return p;
  }
}
