package dev.swarmkit.manager.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.manager.health.HealthService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcServerMetricsTest {

  private static final String SERVICE = "docker.swarmkit.v1.Health";
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .intercept(GrpcServerMetrics.interceptor())
        .addService(new HealthService())
        .build().start();
    GrpcServerMetrics.initialize(server.getServices());
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void everyMethodAndCodeStartsAtZeroAsGoGrpcPrometheusRegisters() {
    // No health check ends in DATA_LOSS, yet the series exists (counter() fails on a missing one).
    assertThat(counter("grpc_server_handled_total", labels("Check").merge(Labels.of("grpc_code", "DataLoss"))))
        .isZero();
    assertThat(histogramCount(labels("Check"))).isGreaterThanOrEqualTo(0);
  }

  @Test
  void callsAreCountedByTypeServiceMethodAndGoSpelledCode() {
    Labels check = labels("Check");
    double started = counter("grpc_server_started_total", check);
    double ok = counter("grpc_server_handled_total", check.merge(Labels.of("grpc_code", "OK")));
    double notFound = counter("grpc_server_handled_total", check.merge(Labels.of("grpc_code", "NotFound")));
    double received = counter("grpc_server_msg_received_total", check);
    double sent = counter("grpc_server_msg_sent_total", check);
    long timed = histogramCount(check);

    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    health.check(HealthCheckRequest.getDefaultInstance());
    assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(counter("grpc_server_started_total", check)).isEqualTo(started + 2);
    assertThat(counter("grpc_server_handled_total", check.merge(Labels.of("grpc_code", "OK")))).isEqualTo(ok + 1);
    assertThat(counter("grpc_server_handled_total", check.merge(Labels.of("grpc_code", "NotFound"))))
        .isEqualTo(notFound + 1);
    assertThat(counter("grpc_server_msg_received_total", check)).isEqualTo(received + 2);
    assertThat(counter("grpc_server_msg_sent_total", check)).isEqualTo(sent + 1);
    assertThat(histogramCount(check)).isEqualTo(timed + 2);
  }

  private static Labels labels(String method) {
    return Labels.of("grpc_method", method, "grpc_service", SERVICE, "grpc_type", "unary");
  }

  private static MetricSnapshot snapshot(String name) {
    String prometheusName = name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
    return PrometheusRegistry.defaultRegistry.scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals(prometheusName))
        .findFirst().orElseThrow(() -> new AssertionError("no family " + name));
  }

  private static double counter(String name, Labels labels) {
    return ((CounterSnapshot) snapshot(name)).getDataPoints().stream()
        .filter(d -> d.getLabels().equals(labels))
        .findFirst().orElseThrow(() -> new AssertionError("no series " + name + labels))
        .getValue();
  }

  private static long histogramCount(Labels labels) {
    return ((HistogramSnapshot) snapshot("grpc_server_handling_seconds")).getDataPoints().stream()
        .filter(d -> d.getLabels().equals(labels))
        .findFirst().orElseThrow(() -> new AssertionError("no series " + labels))
        .getCount();
  }
}
