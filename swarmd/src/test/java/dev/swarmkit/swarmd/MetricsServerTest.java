package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.manager.metrics.MetricFamily;
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
    server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0),
        () -> List.of(MetricFamily.gauge("swarm_test_value", "A test value", value.get())));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void metricsPathServesTheTextFormatCollectedAtScrapeTime() throws Exception {
    HttpResponse<String> first = get("/metrics");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(first.body()).isEqualTo("""
        # HELP swarm_test_value A test value
        # TYPE swarm_test_value gauge
        swarm_test_value 1
        """);

    value.set(7);
    assertThat(get("/metrics").body()).contains("swarm_test_value 7\n");
  }

  @Test
  void otherPathsAreNotFound() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
  }

  @Test
  void aClosedServerReleasesItsPort() throws Exception {
    int port = server.port();
    server.close();
    server = MetricsServer.start(new InetSocketAddress("127.0.0.1", port), List::of);
    assertThat(get("/metrics").body()).isEmpty();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
