package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.StartupException;
import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole swarm stops; its managers start again, then each worker with only its state dir: the
 * workers find the managers they remembered in {@code state.json} and every node is READY again.
 */
class SwarmRestartTest {

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
  void workersRestartedWithOnlyTheirStateDirAfterTheWholeSwarmRestartedAreReady() throws Exception {
    SwarmNode m1 = swarm.managersAndWorkers(List.of("m1", "m2", "m3"), List.of("w1", "w2"));
    // Each worker has learnt all three managers from its session and keeps them in its state dir.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(swarm.node("w1").agent().knownManagers()).hasSize(3);
      assertThat(swarm.node("w2").agent().knownManagers()).hasSize(3);
      assertThat(Files.readString(swarm.stateDir("w1").resolve("state.json"))).contains("\"Addr\":\"127.0.0.1:");
    });

    for (String host : List.of("w2", "w1", "m3", "m2", "m1")) {
      swarm.stop(swarm.node(host));
    }
    for (String host : List.of("m1", "m2", "m3")) {
      swarm.restartAsBefore(host);
    }
    SwarmNode w1 = swarm.restartWithOnlyStateDir("w1");
    SwarmNode w2 = swarm.restartWithOnlyStateDir("w2");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      SwarmNode leader = leader().orElseThrow(() -> new AssertionError("no leader yet"));
      List<Node> nodes = leader.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
      assertThat(nodes).hasSize(5).allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY);
      assertThat(w1.agent().currentManager()).isPresent();
      assertThat(w2.agent().currentManager()).isPresent();
    });
    assertThat(w1.failure()).isEmpty();
  }

  @Test
  void aWorkerThatRemembersNoManagerIsRefusedWithWhatToDo() throws Exception {
    SwarmNode m1 = swarm.init("m1");
    swarm.join("w1", m1, swarm.joinToken("m1", "Worker"));
    TestSwarm.awaitReady(m1, 2);
    swarm.stop(swarm.node("w1"));
    Path state = swarm.stateDir("w1");
    Files.deleteIfExists(state.resolve("state.json")); // as a node from before state.json was kept

    assertThatThrownBy(() -> swarm.restartWithOnlyStateDir("w1"))
        .isInstanceOf(StartupException.class)
        .hasMessage("-d " + state + ": this worker remembers no manager (" + state.resolve("state.json")
            + " lists none); start it with --join-addr <a manager's remote API address>");
  }

  private Optional<SwarmNode> leader() {
    for (String host : List.of("m1", "m2", "m3")) {
      SwarmNode n = swarm.node(host);
      if (n.manager().map(m -> m.replication().isLeader()).orElse(false)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }
}
