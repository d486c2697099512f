package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskDatabaseTest {

  @TempDir Path stateDir;

  static Task task(String id, TaskState state) {
    return Task.newBuilder().setId(id).setStatus(TaskStatus.newBuilder().setState(state)).build();
  }

  @Test
  void tasksAndStatusesSurviveReopening() {
    TaskDatabase db = new TaskDatabase(stateDir);
    db.put(task("a", TaskState.ASSIGNED));
    db.put(task("b", TaskState.ASSIGNED));
    db.putStatus("a", TaskStatus.newBuilder().setState(TaskState.RUNNING).build());
    db.delete("b");

    TaskDatabase reopened = new TaskDatabase(stateDir);

    assertThat(reopened.all()).extracting(Task::getId).containsExactly("a");
    assertThat(reopened.get("a").orElseThrow().getStatus().getState()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void aStatusForARemovedTaskIsNotRecorded() {
    TaskDatabase db = new TaskDatabase(stateDir);

    boolean stored = db.putStatus("gone", TaskStatus.newBuilder().setState(TaskState.RUNNING).build());

    assertThat(stored).isFalse();
    assertThat(new TaskDatabase(stateDir).all()).isEmpty();
  }

  @Test
  void aTornLastRecordIsDroppedAndTheRecordsBeforeItKept() throws Exception {
    TaskDatabase db = new TaskDatabase(stateDir);
    db.put(task("a", TaskState.RUNNING));
    db.put(task("b", TaskState.RUNNING));
    db.close();
    Path log = stateDir.resolve("worker/tasks.log");
    long whole = Files.size(log);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(whole - 3); // a crash in the middle of writing b's record
    }

    TaskDatabase reopened = new TaskDatabase(stateDir);
    reopened.put(task("c", TaskState.RUNNING));
    reopened.close();

    assertThat(new TaskDatabase(stateDir).all()).extracting(Task::getId).containsExactly("a", "c");
  }

  @Test
  void aDamagedRecordEndsTheReplay() throws Exception {
    TaskDatabase db = new TaskDatabase(stateDir);
    db.put(task("a", TaskState.RUNNING));
    db.close();
    Path log = stateDir.resolve("worker/tasks.log");
    long first = Files.size(log);
    db = new TaskDatabase(stateDir);
    db.put(task("b", TaskState.RUNNING));
    db.close();
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.seek(first + 10);
      f.write(0x5a); // flips bytes inside b's record: its checksum no longer matches
    }

    assertThat(new TaskDatabase(stateDir).all()).extracting(Task::getId).containsExactly("a");
  }

  @Test
  void theLogIsRewrittenCompactlyAndKeepsTheLatestOfEveryTask() throws Exception {
    TaskDatabase db = new TaskDatabase(stateDir);
    for (int i = 0; i < 10; i++) {
      db.put(task("t" + i, TaskState.ASSIGNED));
    }
    for (int round = 0; round < 300; round++) {
      for (int i = 0; i < 10; i++) {
        db.putStatus("t" + i, TaskStatus.newBuilder().setState(TaskState.RUNNING).setMessage("round " + round).build());
      }
    }
    db.delete("t9");
    db.close();

    // 3,011 records written; without compaction the log would hold them all.
    Path single = stateDir.resolve("single");
    TaskDatabase one = new TaskDatabase(single);
    one.put(task("t0", TaskState.RUNNING).toBuilder()
        .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING).setMessage("round 299")).build());
    one.close();
    long recordSize = Files.size(single.resolve("worker/tasks.log"));
    assertThat(Files.size(stateDir.resolve("worker/tasks.log"))).isLessThan(1100 * recordSize);
    TaskDatabase reopened = new TaskDatabase(stateDir);
    assertThat(reopened.all()).hasSize(9).allSatisfy(t -> assertThat(t.getStatus().getMessage()).isEqualTo("round 299"));
  }

  @Test
  void tasksOfAnEarlierVersionsOneFilePerTaskAreFoldedIntoTheLog() throws Exception {
    Path legacy = stateDir.resolve("worker/tasks");
    Files.createDirectories(legacy);
    Files.write(legacy.resolve("a.task"), task("a", TaskState.RUNNING).toByteArray());
    Files.write(legacy.resolve("x.task.tmp"), new byte[] {1, 2, 3});
    Files.write(legacy.resolve("y.task"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    TaskDatabase db = new TaskDatabase(stateDir);
    db.close();

    assertThat(legacy).doesNotExist();
    assertThat(new TaskDatabase(stateDir).all()).extracting(Task::getId).containsExactly("a");
  }
}
