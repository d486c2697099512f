package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.manager.metrics.ClusterMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  private final AtomicInteger value = new AtomicInteger(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsServer server;

  @BeforeEach
  void start() throws Exception {
    server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), new TestCollector());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void metricsPathServesTheNodesFamiliesCollectedAtScrapeTime() throws Exception {
    HttpResponse<String> first = get("/metrics");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(first.body()).contains("# HELP swarm_test_value A test value\n# TYPE swarm_test_value gauge\n"
        + "swarm_test_value 1.0\n");

    value.set(7);
    assertThat(get("/metrics").body()).contains("swarm_test_value 7.0\n");
  }

  @Test
  void jvmAndProcessFamiliesAreServedBesideTheNodes() throws Exception {
    assertThat(get("/metrics").body()).contains(
        "# TYPE jvm_memory_used_bytes gauge\n",
        "# TYPE jvm_threads_current gauge\n",
        "# TYPE process_cpu_seconds_total counter\n",
        "# TYPE process_start_time_seconds gauge\n");
  }

  @Test
  void aClosedServerReleasesItsPort() throws Exception {
    int port = server.port();
    server.close();
    server = MetricsServer.start(new InetSocketAddress("127.0.0.1", port), new TestCollector());
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  private final class TestCollector implements MultiCollector {
    @Override
    public MetricSnapshots collect() {
      return MetricSnapshots.of(ClusterMetrics.gauge("swarm_test_value", "A test value", value.get()));
    }

    @Override
    public List<String> getPrometheusNames() {
      return List.of("swarm_test_value");
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
