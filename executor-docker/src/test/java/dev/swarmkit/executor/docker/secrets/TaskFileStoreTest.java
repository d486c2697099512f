package dev.swarmkit.executor.docker.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskFileStoreTest {

  private final TestTmpfs tmpfs = new TestTmpfs();
  private final TaskFileStore store = new TaskFileStore(List.of(tmpfs.dir));

  @AfterEach
  void cleanUp() throws Exception {
    tmpfs.close();
  }

  private static TaskFile secret(String id, String value, int uid, int gid, int mode) {
    return new TaskFile(TaskFile.Kind.SECRET, id, "/run/secrets/" + id, ByteString.copyFromUtf8(value), uid, gid, mode);
  }

  @Test
  void filesAreWrittenWithTheirOwnerAndModeUnderThePrivateTaskDirectory() throws Exception {
    List<Path> paths = store.write("node1", "task1", List.of(secret("s1", "hunter2", 1000, 50, 0440),
        new TaskFile(TaskFile.Kind.CONFIG, "c1", "/app.conf", ByteString.copyFromUtf8("conf"), 0, 0, 0444)));

    assertThat(paths).containsExactly(tmpfs.dir.resolve("node1/task1/secrets/0"), tmpfs.dir.resolve("node1/task1/configs/0"));
    assertThat(Files.readString(paths.get(0))).isEqualTo("hunter2");
    assertThat(Files.getAttribute(paths.get(0), "unix:uid")).isEqualTo(1000);
    assertThat(Files.getAttribute(paths.get(0), "unix:gid")).isEqualTo(50);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.get(0)))).isEqualTo("r--r-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmpfs.dir.resolve("node1/task1"))))
        .isEqualTo("rwx------");
    assertThat(store.present("node1", "task1", 1, 1)).isTrue();
    assertThat(store.present("node1", "task1", 2, 1)).isFalse();

    // Writing again (a start after the tmpfs was emptied) replaces the content in place.
    store.write("node1", "task1", List.of(secret("s1", "new", 0, 0, 0400)));
    assertThat(Files.readString(paths.get(0))).isEqualTo("new");
  }

  @Test
  void removingATaskDeletesItsFilesAndReleasingASecretDeletesEveryTaskDirectoryHoldingIt() throws Exception {
    store.write("node1", "a", List.of(secret("s1", "one", 0, 0, 0400)));
    store.write("node1", "b", List.of(secret("s2", "two", 0, 0, 0400)));
    store.write("node1", "c", List.of(secret("s1", "one", 0, 0, 0400), secret("s2", "two", 0, 0, 0400)));

    store.release("s1");
    assertThat(tmpfs.dir.resolve("node1/a")).doesNotExist();
    assertThat(tmpfs.dir.resolve("node1/c")).doesNotExist();
    assertThat(tmpfs.dir.resolve("node1/b/secrets/0")).exists();
    assertThat(store.present("node1", "a", 1, 0)).isFalse();

    store.remove("node1", "b");
    assertThat(tmpfs.dir.resolve("node1")).as("the node's directory goes with its last task").doesNotExist();
  }

  @Test
  void aTrackedTaskWhoseFilesAnEarlierRunWroteIsReleasedToo() throws Exception {
    new TaskFileStore(List.of(tmpfs.dir)).write("node1", "old", List.of(secret("s1", "one", 0, 0, 0400)));
    store.track("node1", "old", Set.of("s1"));
    store.release("s1");
    assertThat(tmpfs.dir.resolve("node1/old")).doesNotExist();
  }
}
