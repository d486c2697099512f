package dev.swarmkit.executor.docker.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpfsRootTest {

  @TempDir Path disk;

  @Test
  void theFirstCandidateOnATmpfsIsChosenAndCreatedPrivate() throws Exception {
    // The test's temporary directory must not itself be a tmpfs for this test to mean anything.
    assertThat(TmpfsRoot.fileSystemType(disk)).isNotEqualTo("tmpfs");
    try (TestTmpfs tmpfs = new TestTmpfs()) {
      Path chosen = TmpfsRoot.select(List.of(disk.resolve("secrets"), tmpfs.dir));

      assertThat(chosen).isEqualTo(tmpfs.dir);
      assertThat(TmpfsRoot.fileSystemType(chosen)).isEqualTo("tmpfs");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(chosen))).isEqualTo("rwx------");
      assertThat(disk.resolve("secrets")).doesNotExist();
    }
  }

  @Test
  void withoutATmpfsNothingIsWrittenAndTheErrorSaysWhy() {
    assertThatThrownBy(() -> TmpfsRoot.select(List.of(disk.resolve("secrets"))))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("no tmpfs to keep secrets and configs in: " + disk.resolve("secrets") + " (" + disk + " is on ");
    assertThat(disk.resolve("secrets")).doesNotExist();
  }
}
