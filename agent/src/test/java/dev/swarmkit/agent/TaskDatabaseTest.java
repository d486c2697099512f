package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
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
  void leftoversOfAnInterruptedWriteAreDiscardedAndDamagedFilesSkipped() throws Exception {
    TaskDatabase db = new TaskDatabase(stateDir);
    db.put(task("a", TaskState.RUNNING));
    Path dir = stateDir.resolve("worker/tasks");
    Files.write(dir.resolve("x.task.tmp"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("y.task"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    TaskDatabase reopened = new TaskDatabase(stateDir);

    assertThat(reopened.all()).extracting(Task::getId).containsExactly("a");
    assertThat(dir.resolve("x.task.tmp")).doesNotExist();
  }
}
