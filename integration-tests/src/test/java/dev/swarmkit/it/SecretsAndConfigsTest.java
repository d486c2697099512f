package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.swarmkit.executor.docker.DockerClients;
import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.DockerExec;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import dev.swarmkit.executor.docker.RequiresDocker;
import dev.swarmkit.executor.docker.TaskContainers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets and configs through real nodes and the local engine: a service on a worker gets its
 * secret and (templated) config as files, the secret's value stays off the worker's disk, dropping
 * the secret rolls the task, and removing the service leaves nothing on the tmpfs.
 */
@RequiresDocker
class SecretsAndConfigsTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  private TestSwarm swarm;
  private NodeContainers containers;
  private DockerClient docker;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir.resolve("nodes"));
    containers = new NodeContainers();
    docker = DockerClients.create(DockerExecutorConfig.defaults());
  }

  @AfterEach
  void tearDown() throws IOException {
    swarm.close();
    containers.close();
    docker.close();
  }

  private Container runningOnWorker() {
    List<Container> running = containers.ofService("db", false);
    assertThat(running).hasSize(1);
    return running.get(0);
  }

  private String exec(Container c, String... command) throws InterruptedException {
    return DockerExec.run(docker, c.getId(), command);
  }

  @Test
  void aServiceGetsItsSecretAndTemplatedConfigAsFilesAndTheSecretNeverTouchesTheWorkersDisk() throws Exception {
    swarm.dockerSwarm(2, containers::track, "1s");
    String value = "pw-" + UUID.randomUUID();
    Path secretFile = dir.resolve("dbpass");
    Files.writeString(secretFile, value);
    Path configFile = dir.resolve("app.conf");
    Files.writeString(configFile, "service={{.Service.Name}} node={{.Node.Hostname}} slot={{.Task.Slot}} "
        + "mode={{env \"MODE\"}}\n");
    swarm.swarmctlOk("node-1", "secret", "create", "dbpass", "--file", secretFile.toString());
    swarm.swarmctlOk("node-1", "config", "create", "appconf", "--file", configFile.toString(),
        "--template-driver", "golang");
    assertThat(swarm.swarmctl("node-1", "service", "create", "--name", "x", "--image", DockerEngineCheck.TEST_IMAGE,
        "--secret", "nope").err()).contains("secret not found: nope");

    swarm.swarmctlOk("node-1", "service", "create", "--name", "db", "--image", DockerEngineCheck.TEST_IMAGE,
        "--command", "sleep", "--args", "600", "--env", "MODE=prod", "--constraint", "node.hostname==node-2",
        "--secret", "dbpass", "--config", "appconf:/etc/app.conf");

    await().atMost(WAIT).untilAsserted(() -> assertThat(containers.ofService("db", false)).hasSize(1));
    Container first = runningOnWorker();
    assertThat(exec(first, "cat", "/run/secrets/dbpass")).isEqualTo(value);
    assertThat(exec(first, "stat", "-c", "%u %g %a", "/run/secrets/dbpass")).isEqualTo("0 0 444\n");
    // As upstream's dockerexec, .Node.Hostname is what the engine reports (swarmd's --hostname
    // only renames the node towards the managers).
    String expectedConfig = "service=db node=" + docker.infoCmd().exec().getName() + " slot=1 mode=prod\n";
    assertThat(exec(first, "cat", "/etc/app.conf")).isEqualTo(expectedConfig);
    assertThat(exec(first, "stat", "-c", "%u %g %a", "/etc/app.conf")).isEqualTo("0 0 444\n");

    // The files behind the mounts are on a tmpfs; the worker's state directory never holds the value.
    List<Path> sources = new ArrayList<>();
    InspectContainerResponse inspect = docker.inspectContainerCmd(first.getId()).exec();
    inspect.getMounts().forEach(m -> {
      assertThat(m.getRW()).as("read-only %s", m.getDestination()).isFalse();
      sources.add(Path.of(m.getSource()));
    });
    assertThat(sources).hasSize(2);
    for (Path source : sources) {
      assertThat(Files.getFileStore(source).type()).isEqualTo("tmpfs");
    }
    assertThat(RawFiles.containing(swarm.stateDir("node-2"), value.getBytes(StandardCharsets.UTF_8))).isEmpty();
    Path taskDir = sources.get(0).getParent().getParent();
    assertThat(RawFiles.containing(taskDir, value.getBytes(StandardCharsets.UTF_8)))
        .as("the check itself finds the value").isNotEmpty();

    // A secret in use cannot be removed.
    assertThat(swarm.swarmctl("node-1", "secret", "rm", "dbpass").err())
        .contains("secret 'dbpass' is in use by the following service: db");

    // Dropping the secret rolls the task: the new container has no such file, the old files are gone.
    swarm.swarmctlUpdate("node-1", "service", "update", "db", "--rm-secret", "dbpass");
    await().atMost(WAIT).untilAsserted(() -> {
      List<Container> running = containers.ofService("db", false);
      assertThat(running).hasSize(1);
      assertThat(running.get(0).getId()).isNotEqualTo(first.getId());
    });
    Container second = runningOnWorker();
    assertThat(second.getLabels().get(TaskContainers.LABEL_TASK_ID))
        .isNotEqualTo(first.getLabels().get(TaskContainers.LABEL_TASK_ID));
    assertThat(exec(second, "sh", "-c", "ls /run/secrets/dbpass 2>&1")).contains("No such file");
    assertThat(exec(second, "cat", "/etc/app.conf")).isEqualTo(expectedConfig);
    await().atMost(WAIT).untilAsserted(() -> assertThat(taskDir).doesNotExist());
    swarm.swarmctlOk("node-1", "secret", "rm", "dbpass");

    // Removing the service removes the containers and every file of its tasks.
    Path nodeDir = taskDir.getParent();
    swarm.swarmctlOk("node-1", "service", "rm", "db");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(containers.ofService("db", true)).isEmpty();
      assertThat(nodeDir).doesNotExist();
    });
  }
}
