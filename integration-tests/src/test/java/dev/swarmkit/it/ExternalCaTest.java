package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Node certificates signed by an external CA speaking CFSSL's sign API over mutual TLS. */
class ExternalCaTest {

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
  void joinsAreSignedByTheExternalCaAndFailClearlyWhenItIsUnreachable() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    Cluster cluster = cluster(manager);
    String token = swarm.joinToken("node-1", "Worker");
    String url;
    try (CfsslTestSigner signer = CfsslTestSigner.start(cluster)) {
      url = signer.url();
      swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--external-ca", "protocol=cfssl,url=" + url);
      assertThat(swarm.swarmctlOk("node-1", "cluster", "inspect", "default")).contains(url);

      SwarmNode worker = swarm.join("node-2", manager, token);

      assertThat(signer.signedSerials()).contains(worker.security().certificate().getSerialNumber());
      assertThat(signer.callers()).isNotEmpty().allMatch(c -> c.role().equals(Roles.MANAGER)
          && c.nodeId().equals(manager.nodeId()));
      assertThat(worker.security().identity().role()).isEqualTo(Roles.WORKER);
    }

    // Joins retry until the operator stops them (issue 17), each failed attempt logged in one line
    // that says why: the external CA could not sign.
    ListAppender<ILoggingEvent> joinLog = new ListAppender<>();
    joinLog.start();
    Logger joiner = (Logger) LoggerFactory.getLogger("dev.swarmkit.swarmd.Joiner");
    joiner.addAppender(joinLog);
    ExecutorService joining = Executors.newSingleThreadExecutor();
    try {
      Future<SwarmNode> node3 = joining.submit(() -> swarm.join("node-3", manager, token));
      await().atMost(Duration.ofSeconds(60)).until(() -> List.copyOf(joinLog.list).stream()
          .map(ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.contains("external CA: unable to sign the node certificate") && m.contains(url)));
      assertThat(node3).isNotDone();
      node3.cancel(true);
    } finally {
      joining.shutdownNow();
      joiner.detachAppender(joinLog);
    }
  }

  @Test
  void aSwarmCreatedWithExternalCaFlagsStartsWithThemInItsClusterObject() throws Exception {
    String url = "https://ca.example:8888/api/v1/cfssl/sign";
    SwarmNode manager = swarm.start(swarm.config("node-1", "", "", "simulated")
        .withExternalCas(List.of("protocol=cfssl,url=" + url)));

    Cluster cluster = cluster(manager);
    assertThat(cluster.getSpec().getCaConfig().getExternalCasList()).singleElement()
        .satisfies(ca -> assertThat(ca.getUrl()).isEqualTo(url));
    assertThat(swarm.swarmctlOk("node-1", "cluster", "inspect", "default")).contains(url);
  }

  /** The cluster object, once the first leader has written it. */
  private static Cluster cluster(SwarmNode manager) {
    return await().atMost(Duration.ofSeconds(30)).until(
        () -> manager.manager().orElseThrow().store().view(tx -> tx.all(Table.CLUSTERS)), l -> !l.isEmpty()).get(0);
  }
}
