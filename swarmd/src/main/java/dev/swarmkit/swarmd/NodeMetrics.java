package dev.swarmkit.swarmd;

import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.manager.Manager;
import dev.swarmkit.manager.metrics.ClusterMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One node's own families: upstream's {@code swarm_node_info} and {@code swarm_node_manager}
 * (node/node.go) always, and the manager's cluster gauges while this node runs a manager (a worker
 * has no store). The manager is looked up on each scrape: a promotion or demotion starts or stops it.
 */
final class NodeMetrics implements MultiCollector {

  private final Supplier<NodeIdentity> identity;
  private final Supplier<Optional<Manager>> manager;

  NodeMetrics(Supplier<NodeIdentity> identity, Supplier<Optional<Manager>> manager) {
    this.identity = identity;
    this.manager = manager;
  }

  @Override
  public MetricSnapshots collect() {
    NodeIdentity id = identity.get();
    Optional<Manager> m = manager.get();
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(GaugeSnapshot.builder().name("swarm_node_info").help("Information related to the swarm")
        .dataPoint(GaugeDataPointSnapshot.builder()
            .labels(Labels.of("swarm_id", id.clusterId(), "node_id", id.nodeId())).value(1).build())
        .build());
    out.add(ClusterMetrics.gauge("swarm_node_manager", "Whether this node is a manager or not",
        m.isPresent() ? 1 : 0));
    m.ifPresent(mgr -> new ClusterMetrics(mgr.store(), mgr.replication()::isLeader).collect().forEach(out::add));
    return new MetricSnapshots(out);
  }

  @Override
  public List<String> getPrometheusNames() {
    List<String> names = new ArrayList<>(List.of("swarm_node_info", "swarm_node_manager"));
    names.addAll(ClusterMetrics.NAMES);
    return names;
  }
}
