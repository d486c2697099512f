package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Task;
import dev.swarmkit.ca.RootCA;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root CA rotation on 3 managers and 2 workers while a service runs: every node ends with a
 * certificate of the new root and trusts only it, no task restarts, and a worker that was down
 * during the rotation renews when it comes back (the rotation waits for it).
 */
class RootRotationTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void everyNodeMovesToTheNewRootWithoutTaskRestartsAndAnOfflineWorkerCatchesUp() throws Exception {
    SwarmNode leader = swarm.managersAndWorkers(List.of("node-1", "node-2", "node-3"), List.of("node-4", "node-5"));
    SwarmNode offline = swarm.node("node-5");
    // Simulated containers live in their node's process: keep tasks off the worker that goes down.
    swarm.swarmctlUpdate("node-1", "node", "drain", offline.nodeId());
    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "4", "--command", "sleep", "--args", "600");
    await().atMost(WAIT).until(() -> TestSwarm.runningTasks(leader).size() == 4);
    Set<String> tasksBefore = ids(TestSwarm.runningTasks(leader));
    byte[] oldRoot = cluster(leader).getRootCa().getCaCert().toByteArray();

    swarm.stop(offline);
    swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--rotate-ca");

    Cluster rotating = cluster(leader);
    assertThat(rotating.getRootCa().hasRootRotation()).isTrue();
    RootCA newRoot = RootCA.fromCertificate(rotating.getRootCa().getRootRotation().getCaCert().toByteArray());
    List<String> up = List.of("node-1", "node-2", "node-3", "node-4");
    await().atMost(WAIT).untilAsserted(() -> {
      for (String h : up) {
        assertThat(newRoot.signedDirectly(swarm.node(h).security().certificate())).as(h).isTrue();
      }
    });
    // The down worker holds the rotation open
    assertThat(cluster(leader).getRootCa().hasRootRotation()).isTrue();
    assertThat(swarm.swarmctlOk("node-2", "cluster", "inspect", "default"))
        .contains("Root CA rotation: in progress, 4 of 5 nodes renewed");

    SwarmNode back = swarm.restartAsBefore("node-5");
    await().atMost(WAIT).untilAsserted(() -> {
      Cluster done = cluster(leader);
      assertThat(done.getRootCa().hasRootRotation()).isFalse();
      assertThat(done.getRootCa().getCaCert().toByteArray()).isEqualTo(newRoot.certPem());
    });
    assertThat(newRoot.signedDirectly(back.security().certificate())).isTrue();
    await().atMost(WAIT).untilAsserted(() -> {
      for (String h : List.of("node-1", "node-2", "node-3", "node-4", "node-5")) {
        assertThat(swarm.node(h).security().rootCA().certPem()).as(h).isEqualTo(newRoot.certPem())
            .isNotEqualTo(oldRoot);
      }
    });

    assertThat(ids(TestSwarm.runningTasks(leader))).isEqualTo(tasksBefore);
    assertThat(swarm.swarmctlOk("node-1", "service", "ls")).contains("4/4");
    assertThat(swarm.swarmctlOk("node-1", "cluster", "inspect", "default")).doesNotContain("Root CA rotation");
    // New join tokens name the new root; a node joins with one and trusts the new root.
    SwarmNode late = swarm.join("node-6", leader, swarm.joinToken("node-3", "Worker"));
    assertThat(late.security().rootCA().certPem()).isEqualTo(newRoot.certPem());
  }

  private static Cluster cluster(SwarmNode manager) {
    return manager.manager().orElseThrow().store().view(tx -> tx.all(Table.CLUSTERS)).get(0);
  }

  private static Set<String> ids(List<Task> tasks) {
    return tasks.stream().map(Task::getId).collect(Collectors.toSet());
  }
}
