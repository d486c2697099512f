package dev.swarmkit.swarmd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a failed start from leaving a half-made node behind: remembers what the state dir held
 * before the start and, unless the start is {@linkplain #commit() committed}, removes what was added
 * (also when the process is stopped mid-start, e.g. while a join is retried).
 */
final class StateDirGuard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StateDirGuard.class);

  private final Path dir;
  /** The outermost directory this start created (the state dir or one of its parents), or null. */
  private final Path createdRoot;
  private final Set<Path> before = new HashSet<>();
  private final Thread hook;
  private boolean committed;

  private StateDirGuard(Path dir, Path createdRoot) throws IOException {
    this.dir = dir;
    this.createdRoot = createdRoot;
    if (createdRoot == null) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        entries.forEach(before::add);
      }
    }
    this.hook = new Thread(this::rollback, "swarmd-start-rollback");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Creates the state dir if needed and checks that a file can be written in it; throws a
   * {@link StartupException} naming {@code -d} otherwise.
   */
  static StateDirGuard open(Path dir) {
    Path absolute = dir.toAbsolutePath();
    Path createdRoot = null;
    for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
      createdRoot = p;
    }
    StateDirGuard guard = null;
    try {
      Files.createDirectories(absolute);
      guard = new StateDirGuard(absolute, createdRoot);
      probeWrite(absolute);
      return guard;
    } catch (IOException e) {
      if (guard != null) {
        guard.close();
      } else if (createdRoot != null) {
        deleteTree(createdRoot);
      }
      throw new StartupException("-d " + dir + ": cannot write the state directory (" + reason(e)
          + "); use -d with a writable directory" + (isNoSpace(e) ? " or free some space" : ""));
    }
  }

  private static void probeWrite(Path dir) throws IOException {
    Path probe = dir.resolve(".swarmd-write-test");
    try {
      Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /** The start succeeded: keep everything. */
  synchronized void commit() {
    committed = true;
    removeHook();
  }

  /** Rolls back unless committed. */
  @Override
  public void close() {
    rollback();
    removeHook();
  }

  private synchronized void rollback() {
    if (committed) {
      return;
    }
    committed = true; // once
    if (createdRoot != null) {
      deleteTree(createdRoot);
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        if (!before.contains(p)) {
          deleteTree(p);
        }
      }
    } catch (IOException e) {
      log.warn("could not restore state dir {}: {}", dir, e.toString());
    }
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // already shutting down, or removed
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      log.warn("could not remove {} left by the failed start: {}", root, e.toString());
    }
  }

  static boolean isNoSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  /** The OS's reason, without the path Java repeats in front of it. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    if (e instanceof NoSuchFileException || e instanceof java.nio.file.NotDirectoryException) {
      return e.getClass().getSimpleName().replace("Exception", "");
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
