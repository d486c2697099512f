package dev.swarmkit.executor.docker.secrets;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secret and config files of this executor's tasks, on a tmpfs: {@code <root>/<node ID>/<task
 * ID>/secrets/<n>} and {@code .../configs/<n>}, n being the reference's position. A task's
 * directory is deleted when its container is removed, and at once when one of the secrets or
 * configs in it is no longer assigned to this node (the dispatcher drops it once no task that
 * still runs needs it).
 */
public final class TaskFileStore {

  private static final Logger log = LoggerFactory.getLogger(TaskFileStore.class);

  private final List<Path> candidates;
  private volatile Path root;
  /** The tasks whose files may exist, with the secret and config IDs they hold. */
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

  private record Tracked(String nodeId, Set<String> dependencyIds) {}

  /** Files go under the first of {@code candidates} that is on a tmpfs (chosen on first use). */
  public TaskFileStore(List<Path> candidates) {
    this.candidates = List.copyOf(candidates);
  }

  /** The tmpfs directory in use, chosen on the first call. */
  public synchronized Path root() throws IOException {
    if (root == null) {
      root = TmpfsRoot.select(candidates);
      log.info("secrets and configs of tasks are kept on tmpfs under {}", root);
    }
    return root;
  }

  /** A task's directory (whether or not it exists). */
  public Path taskDir(String nodeId, String taskId) throws IOException {
    return root().resolve(safe(nodeId)).resolve(safe(taskId));
  }

  /**
   * Remembers that the task's files hold these secrets and configs, so releasing one deletes them
   * (called for every controller, including one adopting a task after an agent restart).
   */
  public void track(String nodeId, String taskId, Set<String> dependencyIds) {
    if (!dependencyIds.isEmpty()) {
      tracked.put(taskId, new Tracked(nodeId, Set.copyOf(dependencyIds)));
    }
  }

  /**
   * Writes {@code files} for the task (replacing what it had) and returns each file's path on the
   * host, in the same order.
   */
  public List<Path> write(String nodeId, String taskId, List<TaskFile> files) throws IOException {
    Path dir = taskDir(nodeId, taskId);
    track(nodeId, taskId, files.stream().map(TaskFile::dependencyId).collect(Collectors.toSet()));
    List<Path> paths = new ArrayList<>();
    int[] next = new int[TaskFile.Kind.values().length];
    for (TaskFile file : files) {
      Path kindDir = dir.resolve(file.kind().directory());
      createPrivateDirectories(kindDir);
      Path path = kindDir.resolve(Integer.toString(next[file.kind().ordinal()]++));
      writeFile(path, file);
      paths.add(path);
    }
    return paths;
  }

  /**
   * Whether the task's files are all in place: {@code secrets} and {@code configs} are how many of
   * each it references (no values needed, so an agent that restarted can check before its
   * assignments arrive).
   */
  public boolean present(String nodeId, String taskId, int secrets, int configs) throws IOException {
    Path dir = taskDir(nodeId, taskId);
    for (int i = 0; i < secrets; i++) {
      if (!Files.isRegularFile(dir.resolve(TaskFile.Kind.SECRET.directory()).resolve(Integer.toString(i)))) {
        return false;
      }
    }
    for (int i = 0; i < configs; i++) {
      if (!Files.isRegularFile(dir.resolve(TaskFile.Kind.CONFIG.directory()).resolve(Integer.toString(i)))) {
        return false;
      }
    }
    return true;
  }

  /** Deletes the task's files. */
  public void remove(String nodeId, String taskId) throws IOException {
    tracked.remove(taskId);
    Path dir = taskDir(nodeId, taskId);
    deleteTree(dir);
    Path nodeDir = dir.getParent();
    try {
      Files.deleteIfExists(nodeDir);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // other tasks of the node still have files
    }
  }

  /** Deletes the files of every task that holds the secret or config {@code dependencyId}. */
  public void release(String dependencyId) {
    for (Map.Entry<String, Tracked> e : Map.copyOf(tracked).entrySet()) {
      if (!e.getValue().dependencyIds().contains(dependencyId)) {
        continue;
      }
      tracked.remove(e.getKey());
      try {
        deleteTree(taskDir(e.getValue().nodeId(), e.getKey()));
        log.debug("deleted files of task {}: {} is no longer assigned", e.getKey(), dependencyId);
      } catch (IOException ex) {
        log.warn("could not delete files of task {}: {}", e.getKey(), ex.toString());
      }
    }
  }

  private static void writeFile(Path path, TaskFile file) throws IOException {
    // Created private, then handed to the reference's owner and mode: never readable by others
    // in between.
    if (!Files.exists(path)) {
      Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.setAttribute(path, "unix:mode", 0600);
    Files.write(path, file.data().toByteArray(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    Files.setAttribute(path, "unix:uid", file.uid());
    Files.setAttribute(path, "unix:gid", file.gid());
    Files.setAttribute(path, "unix:mode", file.mode());
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }
    });
  }

  /** IDs are base-36, but a path component must never climb out of the root whatever it holds. */
  private static String safe(String id) {
    if (id.isEmpty() || !id.matches("[A-Za-z0-9._-]+") || id.equals(".") || id.equals("..")) {
      throw new IllegalArgumentException("not a usable ID for a path: \"" + id + "\"");
    }
    return id;
  }
}
