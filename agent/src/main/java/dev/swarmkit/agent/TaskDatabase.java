package dev.swarmkit.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable record of its assigned tasks (upstream's worker bolt database): each task as
 * last assigned, with the status this agent last observed, in an append-only log {@code
 * <state-dir>/worker/tasks.log} that is rewritten compactly once it holds several times more records
 * than tasks. See the package documentation for why this format.
 */
final class TaskDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskDatabase.class);
  private static final String LOG = "tasks.log";
  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  /** A record: payload length and CRC-32C of the payload, then the payload (kind byte, then data). */
  private static final int HEADER = 8;
  private static final int MIN_RECORDS_BEFORE_COMPACTION = 1024;
  /** Earlier versions kept one file per task here; they are read once and folded into the log. */
  private static final String LEGACY_DIR = "tasks";

  private final Path dir;
  private final Path logFile;
  private final boolean sync;
  private final Map<String, Task> tasks = new TreeMap<>();
  private FileChannel out;
  private int records;

  TaskDatabase(Path stateDir) {
    this(stateDir, true);
  }

  /**
   * Opens (creating if needed) the database and loads every task. {@code sync} false skips fsync:
   * records stay whole (a torn last record is dropped on open) but the newest may be lost on an OS
   * crash (for large simulations only).
   */
  TaskDatabase(Path stateDir, boolean sync) {
    this.sync = sync;
    this.dir = stateDir.resolve("worker");
    this.logFile = dir.resolve(LOG);
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(LOG + ".tmp")); // a compaction interrupted by a crash
      List<Path> legacy = loadLegacyFiles(dir.resolve(LEGACY_DIR), tasks);
      byte[] bytes = Files.exists(logFile) ? Files.readAllBytes(logFile) : new byte[0];
      Replay replay = replay(bytes, tasks);
      records = replay.records();
      // Appending, as after a compaction: every write lands at the end, past a dropped torn tail too.
      out = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      if (replay.validBytes() < bytes.length) {
        log.warn("task database {}: dropping a torn record at its end ({} of {} bytes kept)", logFile,
            replay.validBytes(), bytes.length);
        out.truncate(replay.validBytes());
      }
      if (!legacy.isEmpty()) {
        compact();
        for (Path f : legacy) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir.resolve(LEGACY_DIR));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open task database in " + dir, e);
    }
  }

  /** The tasks recorded under {@code stateDir}, read without changing anything (tests, diagnostics). */
  static Map<String, Task> read(Path stateDir) throws IOException {
    Map<String, Task> found = new TreeMap<>();
    Path worker = stateDir.resolve("worker");
    loadLegacyFiles(worker.resolve(LEGACY_DIR), found);
    Path file = worker.resolve(LOG);
    if (Files.exists(file)) {
      replay(Files.readAllBytes(file), found);
    }
    return found;
  }

  synchronized List<Task> all() {
    return new ArrayList<>(tasks.values());
  }

  synchronized Optional<Task> get(String taskId) {
    return Optional.ofNullable(tasks.get(taskId));
  }

  /** Stores the task as given (its status included). */
  synchronized void put(Task task) {
    checkId(task.getId());
    append(PUT, task.toByteArray());
    tasks.put(task.getId(), task);
  }

  /**
   * Stores a newer assignment of a task, keeping the status already recorded for it (this agent's
   * observation is canonical); a task not yet recorded is stored as given. Returns what was stored.
   */
  synchronized Task putAssignment(Task task) {
    Task existing = tasks.get(task.getId());
    Task stored = existing == null ? task : task.toBuilder().setStatus(existing.getStatus()).build();
    put(stored);
    return stored;
  }

  /** Records a new observed status; false if the task is no longer in the database. */
  synchronized boolean putStatus(String taskId, TaskStatus status) {
    Task t = tasks.get(taskId);
    if (t == null) {
      return false;
    }
    put(t.toBuilder().setStatus(status).build());
    return true;
  }

  synchronized void delete(String taskId) {
    if (tasks.remove(taskId) != null) {
      append(DELETE, taskId.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      log.warn("closing task database {}: {}", logFile, e.toString());
    }
  }

  private static void checkId(String taskId) {
    if (taskId.isEmpty()) {
      throw new IllegalArgumentException("invalid task ID: empty");
    }
  }

  // One write per change to a file kept open: a status costs one system call (and an fsync when
  // syncing), where replacing a file per task cost four and a directory update.
  private void append(byte kind, byte[] data) {
    try {
      writeFully(out, record(kind, data));
      if (sync) {
        out.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write task database " + logFile, e);
    }
    records++;
    if (records > Math.max(MIN_RECORDS_BEFORE_COMPACTION, 4 * tasks.size())) {
      try {
        compact();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compact task database " + logFile, e);
      }
    }
  }

  /** Rewrites the log with one record per task: a new file, synced, renamed over the old one. */
  private void compact() throws IOException {
    Path tmp = dir.resolve(LOG + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (Task t : tasks.values()) {
        writeFully(ch, record(PUT, t.toByteArray()));
      }
      if (sync) {
        ch.force(true);
      }
    }
    out.close();
    try {
      Files.move(tmp, logFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, logFile, StandardCopyOption.REPLACE_EXISTING);
    }
    if (sync) {
      syncDirectory();
    }
    out = FileChannel.open(logFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    records = tasks.size();
  }

  private static ByteBuffer record(byte kind, byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(kind);
    crc.update(data);
    ByteBuffer buf = ByteBuffer.allocate(HEADER + 1 + data.length);
    buf.putInt(1 + data.length).putInt((int) crc.getValue()).put(kind).put(data).flip();
    return buf;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private record Replay(int records, int validBytes) {}

  /** Applies the log's whole records to {@code into}; stops at the first torn or damaged one. */
  private static Replay replay(byte[] bytes, Map<String, Task> into) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int records = 0;
    while (buf.remaining() >= HEADER) {
      int start = buf.position();
      int length = buf.getInt();
      int expected = buf.getInt();
      if (length < 1 || length > buf.remaining()) {
        return new Replay(records, start);
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes, buf.position(), length);
      if ((int) crc.getValue() != expected) {
        return new Replay(records, start);
      }
      byte kind = buf.get();
      byte[] data = new byte[length - 1];
      buf.get(data);
      try {
        if (kind == PUT) {
          Task t = Task.parseFrom(data);
          into.put(t.getId(), t);
        } else if (kind == DELETE) {
          into.remove(new String(data, StandardCharsets.UTF_8));
        } else {
          return new Replay(records, start);
        }
      } catch (InvalidProtocolBufferException e) {
        return new Replay(records, start); // its checksum matched: written by something else
      }
      records++;
    }
    return new Replay(records, buf.position());
  }

  /** Reads an earlier version's one-file-per-task directory; returns the files it found there. */
  private static List<Path> loadLegacyFiles(Path legacyDir, Map<String, Task> into) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(legacyDir)) {
      return files;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(legacyDir)) {
      for (Path f : entries) {
        files.add(f);
        if (f.getFileName().toString().endsWith(".task")) {
          try {
            Task t = Task.parseFrom(Files.readAllBytes(f));
            into.put(t.getId(), t);
          } catch (InvalidProtocolBufferException e) {
            log.error("ignoring unreadable task file {}", f, e);
          }
        }
      }
    }
    return files;
  }

  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open directories; the rename is still atomic there.
    }
  }
}
