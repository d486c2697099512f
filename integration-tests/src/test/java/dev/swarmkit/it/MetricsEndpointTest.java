package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.swarmd.MetricsServer;
import dev.swarmkit.swarmd.SwarmNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started with metrics serves its manager's view of the cluster at /metrics over HTTP. */
class MetricsEndpointTest {

  @TempDir Path dir;
  private TestSwarm swarm;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void aManagerServesNodeAndTaskCountsAndLeadership() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    MetricsServer metrics = manager.serveMetrics(new InetSocketAddress("127.0.0.1", 0));
    TestSwarm.awaitReady(manager, 1);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape(metrics)).contains(
        "swarm_manager_nodes{state=\"ready\"} 1\n",
        "swarm_manager_leader 1\n",
        "swarm_manager_services_total 0\n",
        "# TYPE process_start_time_seconds gauge\n"));

    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "2", "--command", "sleep", "--args", "600");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(scrape(metrics)).contains(
        "swarm_manager_services_total 1\n",
        "swarm_manager_tasks_total{state=\"running\"} 2\n"));
  }

  @Test
  void aWorkerServesOnlyProcessMetrics() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    SwarmNode worker = swarm.join("node-2", manager, swarm.joinToken("node-1", "Worker"));
    MetricsServer metrics = worker.serveMetrics(new InetSocketAddress("127.0.0.1", 0));

    String text = scrape(metrics);
    assertThat(text).contains("# TYPE process_start_time_seconds gauge\n").doesNotContain("swarm_manager_");
  }

  private String scrape(MetricsServer metrics) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
