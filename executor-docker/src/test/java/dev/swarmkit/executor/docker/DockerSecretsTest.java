package dev.swarmkit.executor.docker;

import static dev.swarmkit.executor.docker.TestTasks.shell;
import static dev.swarmkit.executor.docker.TestTasks.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.google.protobuf.ByteString;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.executor.docker.secrets.TaskFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Secrets and configs as files in a real container. */
@RequiresDocker
class DockerSecretsTest {

  private final String nodeId = TestTasks.newId();
  private final Path tmpfs = Path.of("/dev/shm", "swarmd-secrets-test-" + UUID.randomUUID());
  private DockerExecutor executor;
  private DockerClient docker;

  @BeforeEach
  void setUp() {
    executor = new DockerExecutor(DockerExecutorConfig.defaults(), DockerClients.create(DockerExecutorConfig.defaults()),
        new TaskFileStore(List.of(tmpfs)));
    docker = executor.client();
    executor.dependencies().putSecret(Secret.newBuilder().setId("sec1").setSpec(SecretSpec.newBuilder()
        .setData(ByteString.copyFromUtf8("s3cr3t-value"))).build());
    executor.dependencies().putConfig(Config.newBuilder().setId("cfg1").setSpec(ConfigSpec.newBuilder()
        .setTemplating(Driver.newBuilder().setName("golang"))
        .setData(ByteString.copyFromUtf8("service={{.Service.Name}} slot={{.Task.Slot}}"))).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    new OrphanReaper(docker, nodeId).reap(taskId -> false);
    executor.close();
    if (Files.exists(tmpfs)) {
      try (Stream<Path> all = Files.walk(tmpfs)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static SecretReference.Builder secret(String target, String uid, String gid, int mode) {
    return SecretReference.newBuilder().setSecretId("sec1").setSecretName("dbpass")
        .setFile(FileTarget.newBuilder().setName(target).setUid(uid).setGid(gid).setMode(mode));
  }

  @Test
  void secretAndTemplatedConfigAreReadOnlyFilesWithTheirOwnerAndModeAndVanishOnRemoval() throws Exception {
    Task task = task(nodeId, "db", 2, shell("sleep 60")
        .addSecrets(secret("dbpass", "1000", "1001", 0400))
        .addSecrets(secret("/etc/db/pass", "", "", 0444))
        .addConfigs(ConfigReference.newBuilder().setConfigId("cfg1").setConfigName("appconf")
            .setFile(FileTarget.newBuilder().setName("app.conf").setUid("0").setGid("0").setMode(0444))));
    DockerController c = executor.controller(task);
    c.prepare();
    c.start();
    String container = c.containerName();

    assertThat(DockerExec.run(docker, container, "cat", "/run/secrets/dbpass")).isEqualTo("s3cr3t-value");
    assertThat(DockerExec.run(docker, container, "stat", "-c", "%u %g %a", "/run/secrets/dbpass")).isEqualTo("1000 1001 400\n");
    assertThat(DockerExec.run(docker, container, "cat", "/etc/db/pass")).isEqualTo("s3cr3t-value");
    assertThat(DockerExec.run(docker, container, "stat", "-c", "%u %g %a", "/etc/db/pass")).isEqualTo("0 0 444\n");
    assertThat(DockerExec.run(docker, container, "cat", "/app.conf")).isEqualTo("service=db slot=2");
    assertThat(DockerExec.run(docker, container, "sh", "-c", "echo x > /run/secrets/dbpass 2>&1; echo $?"))
        .as("mounted read-only").contains("Read-only file system");
    InspectContainerResponse inspect = docker.inspectContainerCmd(container).exec();
    assertThat(inspect.getMounts()).allSatisfy(m -> {
      assertThat(m.getRW()).isFalse();
      assertThat(m.getSource()).startsWith(tmpfs.toString());
    }).hasSize(3);

    Path taskDir = tmpfs.resolve(nodeId).resolve(task.getId());
    assertThat(taskDir.resolve("secrets/0")).exists();
    c.remove();
    assertThat(taskDir).doesNotExist();
  }

  @Test
  void aReleasedSecretTakesItsFilesAlongAndAMissingOneRejectsTheTask() throws Exception {
    Task task = task(nodeId, "db", 1, shell("sleep 60").addSecrets(secret("dbpass", "0", "0", 0400)));
    DockerController c = executor.controller(task);
    c.prepare();
    Path taskDir = tmpfs.resolve(nodeId).resolve(task.getId());
    assertThat(taskDir.resolve("secrets/0")).exists();

    executor.dependencies().removeSecret("sec1");
    assertThat(taskDir).doesNotExist();

    Task other = task(nodeId, "db", 2, shell("sleep 60").addSecrets(secret("dbpass", "0", "0", 0400)));
    assertThatThrownBy(() -> executor.controller(other).prepare())
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("secret sec1 not found");
  }

  @Test
  void aStartAfterAnAgentRestartNeedsNoValuesWhileTheFilesAreThereAndRewritesThemWhenGone() throws Exception {
    Task task = task(nodeId, "db", 1, shell("sleep 60").addSecrets(secret("dbpass", "0", "0", 0400)));
    executor.controller(task).prepare();
    Path taskDir = tmpfs.resolve(nodeId).resolve(task.getId());

    // A restarted agent: a new executor with an empty store, before any assignment arrived.
    try (DockerExecutor restarted = new DockerExecutor(DockerExecutorConfig.defaults(),
        DockerClients.create(DockerExecutorConfig.defaults()), new TaskFileStore(List.of(tmpfs)))) {
      DockerController adopted = restarted.controller(task);
      adopted.start();
      assertThat(DockerExec.run(docker, adopted.containerName(), "cat", "/run/secrets/dbpass")).isEqualTo("s3cr3t-value");
    }

    // A reboot empties the tmpfs: the next start writes the files again from the values in memory.
    Task second = task(nodeId, "db", 2, shell("sleep 60").addSecrets(secret("dbpass", "0", "0", 0400)));
    DockerController c = executor.controller(second);
    c.prepare();
    Path secondDir = tmpfs.resolve(nodeId).resolve(second.getId());
    Files.delete(secondDir.resolve("secrets/0"));
    c.start();
    assertThat(DockerExec.run(docker, c.containerName(), "cat", "/run/secrets/dbpass")).isEqualTo("s3cr3t-value");
    assertThat(taskDir.resolve("secrets/0")).exists();
  }

  @Test
  void aTaskWithoutReferencesNeedsNoTmpfs() throws Exception {
    try (DockerExecutor noTmpfs = new DockerExecutor(DockerExecutorConfig.defaults(),
        DockerClients.create(DockerExecutorConfig.defaults()), new TaskFileStore(List.of(Path.of("/proc/none"))))) {
      DockerController plain = noTmpfs.controller(task(nodeId, "plain", 1, shell("true")));
      plain.prepare();
      noTmpfs.dependencies().putSecret(Secret.newBuilder().setId("sec1").setSpec(SecretSpec.newBuilder()
          .setData(ByteString.copyFromUtf8("v"))).build());
      DockerController withSecret = noTmpfs.controller(task(nodeId, "db", 1, shell("true")
          .addSecrets(secret("dbpass", "0", "0", 0400))));
      assertThatThrownBy(withSecret::prepare).isInstanceOf(ExecutorException.Rejected.class)
          .hasMessageContaining("no tmpfs to keep secrets and configs in: /proc/none");
    }
  }
}
