package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.Container;
import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.RequiresDocker;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rollback through swarmctl on a real node running containers: automatic ({@code --update-on-failure
 * rollback}, an update whose containers exit at once) and by hand ({@code service rollback}); both
 * end in ROLLBACK_COMPLETED and stay there, with the previous containers running again.
 */
@RequiresDocker
class RollbackTest extends WithDockerSwarm {

  private static final Pattern ROLLBACK_COMPLETED = Pattern.compile("State\\s+: ROLLBACK_COMPLETED\n");
  private static final Pattern COMPLETED = Pattern.compile("State\\s+: COMPLETED\n");

  @Test
  void aFailedUpdateRollsBackByItselfAndAServiceRollbackGoesBackByHand() throws Exception {
    swarm.dockerSwarm(1, containers::track, null);
    String id = swarm.swarmctlOk("node-1", "service", "create", "--name", "web",
        "--image", DockerEngineCheck.TEST_IMAGE, "--replicas", "2", "--command", "sleep", "--args", "600",
        "--update-on-failure", "rollback", "--update-parallelism", "1", "--rollback-parallelism", "0").trim();
    awaitRunning("sleep 600");

    // sleep refuses "soon": the first replacement exits at once and the update is rolled back.
    swarm.swarmctlUpdate("node-1", "service", "update", "web", "--args", "soon");
    await().atMost(Duration.ofSeconds(90)).until(() -> ROLLBACK_COMPLETED.matcher(inspect()).find());
    assertThat(inspect()).contains("rollback completed", "Args               : [600]").doesNotContain("soon");
    awaitRunning("sleep 600");
    // Reconciliations after the end (task reports, monitoring periods) leave the status alone.
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12))
        .until(() -> ROLLBACK_COMPLETED.matcher(inspect()).find());

    // A good update, then back by hand.
    swarm.swarmctlUpdate("node-1", "service", "update", "web", "--args", "601");
    await().atMost(Duration.ofSeconds(90)).until(() -> COMPLETED.matcher(inspect()).find());
    awaitRunning("sleep 601");
    assertThat(swarm.swarmctlOk("node-1", "service", "rollback", "web")).isEqualTo(id + "\n");
    await().atMost(Duration.ofSeconds(90)).until(() -> ROLLBACK_COMPLETED.matcher(inspect()).find());
    // As upstream, the end of a rollback replaces "manually requested rollback" with "rollback completed".
    assertThat(inspect()).contains("rollback completed", "Args               : [600]").doesNotContain("601");
    awaitRunning("sleep 600");
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12))
        .until(() -> ROLLBACK_COMPLETED.matcher(inspect()).find());
  }

  @Test
  void aServiceThatWasNeverUpdatedHasNothingToRollBackTo() throws Exception {
    swarm.dockerSwarm(1, containers::track, null);
    String id = swarm.swarmctlOk("node-1", "service", "create", "--name", "idle",
        "--image", DockerEngineCheck.TEST_IMAGE, "--replicas", "0").trim();
    TestSwarm.Result result = swarm.swarmctl("node-1", "service", "rollback", "idle");
    assertThat(result.exitCode()).isEqualTo(255);
    assertThat(result.err()).isEqualTo("Error: service " + id + " does not have a previous spec\n");
    assertThat(swarm.swarmctlOk("node-1", "service", "inspect", "idle")).doesNotContain("Update Status");
  }

  private String inspect() {
    return swarm.swarmctlOk("node-1", "service", "inspect", "web");
  }

  /** Exactly two running containers of web, both running {@code command}. */
  private void awaitRunning(String command) {
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      List<Container> running = containers.ofService("web", false);
      assertThat(running).hasSize(2).allSatisfy(c -> assertThat(c.getCommand()).isEqualTo(command));
    });
  }
}
