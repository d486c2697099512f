package dev.swarmkit.swarmd;

import dev.swarmkit.manager.dispatcher.DispatcherMetrics;
import dev.swarmkit.manager.metrics.GrpcServerMetrics;
import dev.swarmkit.store.StoreMetrics;
import dev.swarmkit.store.raft.RaftMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} with the Prometheus client's exporter (swarmd's --listen-metrics):
 * the text format, OpenMetrics or protobuf, as the scraper asks.
 *
 * <p>Each server has a registry of its own holding the node's collector (cluster gauges, node
 * info) and a view of the process-wide default registry, which holds the families that are global
 * in a Go binary too: {@code jvm_*}, {@code process_*}, the store, Raft and dispatcher latency
 * histograms and the gRPC server metrics. A swarmd process runs one node; tests that run several
 * nodes in one JVM see the process-wide families summed over them.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** Binds {@code address} and serves the node's collector plus the process-wide families. */
  public static MetricsServer start(InetSocketAddress address, MultiCollector node) throws IOException {
    // Registers once per registry; later calls are no-ops.
    JvmMetrics.builder().register(PrometheusRegistry.defaultRegistry);
    StoreMetrics.register();
    RaftMetrics.register();
    DispatcherMetrics.register();
    GrpcServerMetrics.interceptor();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(node);
    registry.register(new ProcessWide());
    HTTPServer server = HTTPServer.builder()
        .inetAddress(address.getAddress())
        .port(address.getPort())
        .registry(registry)
        .buildAndStart();
    log.info("serving metrics on http://{}:{}/metrics", address.getHostString(), server.getPort());
    return new MetricsServer(server);
  }

  /** The bound port (the actual one when asked for port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }

  /** The process-wide default registry, scraped as part of this server's registry. */
  private static final class ProcessWide implements MultiCollector {
    @Override
    public MetricSnapshots collect() {
      return PrometheusRegistry.defaultRegistry.scrape();
    }

    @Override
    public List<String> getPrometheusNames() {
      return List.of();
    }
  }
}
