package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.it.StrictPrometheusText.Family;
import dev.swarmkit.swarmd.MetricsServer;
import dev.swarmkit.swarmd.SwarmNode;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes started with metrics serve them at /metrics over HTTP: the text format (checked by a strict
 * parser) and the protobuf format (parsed with the Prometheus client's own generated classes).
 */
class MetricsEndpointTest {

  private static final String PROTOBUF =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
  private static final List<String> LATENCY_HISTOGRAMS = List.of("swarm_raft_transaction_latency_seconds",
      "swarm_store_write_tx_latency_seconds", "swarm_store_read_tx_latency_seconds",
      "swarm_dispatcher_scheduling_delay_seconds");

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
  void aManagerServesClusterGaugesJvmFamiliesAndLatencyHistogramsThatParse() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    MetricsServer metrics = manager.serveMetrics(new InetSocketAddress("127.0.0.1", 0));
    TestSwarm.awaitReady(manager, 1);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Map<String, Family> families = StrictPrometheusText.parse(scrape(metrics));
      assertThat(value(families, "swarm_manager_nodes", Map.of("state", "ready"))).isEqualTo(1);
      assertThat(value(families, "swarm_manager_leader", Map.of())).isEqualTo(1);
      assertThat(value(families, "swarm_manager_services_total", Map.of())).isEqualTo(0);
      assertThat(value(families, "swarm_node_manager", Map.of())).isEqualTo(1);
      assertThat(value(families, "swarm_node_info", Map.of("node_id", manager.nodeId(),
          "swarm_id", manager.security().identity().clusterId()))).isEqualTo(1);
      assertThat(families).containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds",
          "process_cpu_seconds_total", "process_start_time_seconds");
      assertThat(families.get("grpc_server_handling_seconds").type()).isEqualTo("histogram");
      for (String histogram : LATENCY_HISTOGRAMS) {
        assertThat(families.get(histogram).type()).as(histogram).isEqualTo("histogram");
      }
    });
    Map<String, Long> countsBefore = histogramCounts(metrics);
    Map<String, String> createService = Map.of("grpc_type", "unary", "grpc_service", "docker.swarmkit.v1.Control",
        "grpc_method", "CreateService", "grpc_code", "OK");
    double createsBefore = value(StrictPrometheusText.parse(scrape(metrics)), "grpc_server_handled_total",
        createService);

    swarm.swarmctlOk("node-1", "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "2", "--command", "sleep", "--args", "600");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Map<String, Family> families = StrictPrometheusText.parse(scrape(metrics));
      assertThat(value(families, "swarm_manager_services_total", Map.of())).isEqualTo(1);
      assertThat(value(families, "swarm_manager_tasks_total", Map.of("state", "running"))).isEqualTo(2);
      assertThat(value(families, "grpc_server_handled_total", createService)).isEqualTo(createsBefore + 1);
      Map<String, Long> countsAfter = histogramCounts(metrics);
      for (String histogram : LATENCY_HISTOGRAMS) {
        assertThat(countsAfter.get(histogram)).as(histogram).isGreaterThan(countsBefore.get(histogram));
      }
    });
  }

  @Test
  void aWorkerServesJvmAndNodeFamiliesButNoClusterGauges() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    SwarmNode worker = swarm.join("node-2", manager, swarm.joinToken("node-1", "Worker"));
    MetricsServer metrics = worker.serveMetrics(new InetSocketAddress("127.0.0.1", 0));

    Map<String, Family> families = StrictPrometheusText.parse(scrape(metrics));
    assertThat(families).containsKeys("jvm_memory_used_bytes", "process_start_time_seconds");
    assertThat(value(families, "swarm_node_manager", Map.of())).isEqualTo(0);
    assertThat(value(families, "swarm_node_info", Map.of("node_id", worker.nodeId(),
        "swarm_id", manager.security().identity().clusterId()))).isEqualTo(1);
    assertThat(families.keySet()).noneMatch(name -> name.startsWith("swarm_manager_"));
    assertThat(histogramCounts(metrics)).isNotEmpty();
  }

  private String scrape(MetricsServer metrics) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    return response.body();
  }

  /** Sample counts of every histogram, read from the protobuf exposition with the client's own classes. */
  private Map<String, Long> histogramCounts(MetricsServer metrics) throws Exception {
    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).header("Accept", PROTOBUF).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Long> counts = new HashMap<>();
    try (InputStream in = response.body()) {
      Metrics.MetricFamily family;
      while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
        if (family.getType() == Metrics.MetricType.HISTOGRAM) {
          counts.put(family.getName(), family.getMetricList().stream()
              .mapToLong(m -> m.getHistogram().getSampleCount()).sum());
        }
      }
    }
    return counts;
  }

  private static double value(Map<String, Family> families, String name, Map<String, String> labels) {
    Family family = families.get(name);
    assertThat(family).as(name).isNotNull();
    return family.samples().stream()
        .filter(s -> s.name().equals(name) && s.labels().equals(labels))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + labels))
        .value();
  }
}
