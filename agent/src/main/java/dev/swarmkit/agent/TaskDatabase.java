package dev.swarmkit.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable record of its assigned tasks (upstream's worker bolt database), kept under
 * {@code <state-dir>/worker/tasks/}: one file per task holding the task as last assigned, with the
 * status this agent last observed. See the package documentation for why this format.
 */
final class TaskDatabase {

  private static final Logger log = LoggerFactory.getLogger(TaskDatabase.class);
  private static final String SUFFIX = ".task";

  private final Path dir;
  private final boolean sync;
  private final Map<String, Task> tasks = new TreeMap<>();

  TaskDatabase(Path stateDir) {
    this(stateDir, true);
  }

  /**
   * Opens (creating if needed) the database and loads every readable task file. {@code sync} false
   * skips fsync: writes stay atomic but may be lost on an OS crash (for large simulations only).
   */
  TaskDatabase(Path stateDir, boolean sync) {
    this.sync = sync;
    this.dir = stateDir.resolve("worker").resolve("tasks");
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (name.endsWith(".tmp")) {
            Files.deleteIfExists(f); // a write interrupted by a crash
          } else if (name.endsWith(SUFFIX)) {
            load(f);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open task database in " + dir, e);
    }
  }

  private void load(Path f) throws IOException {
    try {
      Task t = Task.parseFrom(Files.readAllBytes(f));
      tasks.put(t.getId(), t);
    } catch (InvalidProtocolBufferException e) {
      log.error("ignoring unreadable task file {}", f, e);
    }
  }

  synchronized List<Task> all() {
    return new ArrayList<>(tasks.values());
  }

  synchronized Optional<Task> get(String taskId) {
    return Optional.ofNullable(tasks.get(taskId));
  }

  /** Stores the task as given (its status included). */
  synchronized void put(Task task) {
    write(task);
    tasks.put(task.getId(), task);
  }

  /**
   * Stores a newer assignment of a task, keeping the status already recorded for it (this agent's
   * observation is canonical); a task not yet recorded is stored as given. Returns what was stored.
   */
  synchronized Task putAssignment(Task task) {
    Task existing = tasks.get(task.getId());
    Task stored = existing == null ? task : task.toBuilder().setStatus(existing.getStatus()).build();
    write(stored);
    tasks.put(stored.getId(), stored);
    return stored;
  }

  /** Records a new observed status; false if the task is no longer in the database. */
  synchronized boolean putStatus(String taskId, TaskStatus status) {
    Task t = tasks.get(taskId);
    if (t == null) {
      return false;
    }
    Task updated = t.toBuilder().setStatus(status).build();
    write(updated);
    tasks.put(taskId, updated);
    return true;
  }

  synchronized void delete(String taskId) {
    tasks.remove(taskId);
    try {
      Files.deleteIfExists(file(taskId));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete task " + taskId, e);
    }
  }

  private Path file(String taskId) {
    if (taskId.isEmpty() || taskId.contains("/") || taskId.contains("..")) {
      throw new IllegalArgumentException("invalid task ID: " + taskId);
    }
    return dir.resolve(taskId + SUFFIX);
  }

  /** Write to a temp file, fsync, rename over the old file, fsync the directory. */
  private void write(Task task) {
    Path target = file(task.getId());
    Path tmp = dir.resolve(task.getId() + SUFFIX + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(task.toByteArray());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (sync) {
          ch.force(true);
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      if (sync) {
        syncDirectory();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write task " + task.getId(), e);
    }
  }

  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open directories; the rename is still atomic there.
    }
  }
}
