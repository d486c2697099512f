package dev.swarmkit.manager.metrics;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The manager's gauges, with upstream's names (manager/metrics/collector.go, manager/manager.go):
 * object counts read from one view of this manager's store on each scrape (any manager's replica
 * will do, leader or not), and whether it leads Raft. Every known node and task state is exposed,
 * at 0 when no object is in it, as upstream does.
 */
public final class ClusterMetrics implements MultiCollector {

  public static final List<String> NAMES = List.of("swarm_manager_nodes", "swarm_manager_tasks_total",
      "swarm_manager_services_total", "swarm_manager_networks_total", "swarm_manager_secrets_total",
      "swarm_manager_configs_total", "swarm_manager_leader");

  private final Store store;
  private final BooleanSupplier leader;

  public ClusterMetrics(Store store, BooleanSupplier leader) {
    this.store = store;
    this.leader = leader;
  }

  @Override
  public MetricSnapshots collect() {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    store.read(tx -> counts(tx, out));
    out.metricSnapshot(gauge("swarm_manager_leader", "Indicates if this manager node is a leader",
        leader.getAsBoolean() ? 1 : 0));
    return out.build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return NAMES;
  }

  private static void counts(ReadTx tx, MetricSnapshots.Builder out) {
    Map<NodeStatus.State, Integer> nodes = new EnumMap<>(NodeStatus.State.class);
    for (Node node : tx.all(Table.NODES)) {
      nodes.merge(node.getStatus().getState(), 1, Integer::sum);
    }
    Map<TaskState, Integer> tasks = new EnumMap<>(TaskState.class);
    for (Task task : tx.all(Table.TASKS)) {
      tasks.merge(task.getStatus().getState(), 1, Integer::sum);
    }
    out.metricSnapshot(byState("swarm_manager_nodes", "The number of nodes", NodeStatus.State.values(), nodes));
    out.metricSnapshot(byState("swarm_manager_tasks_total", "The number of tasks in the cluster object store",
        TaskState.values(), tasks));
    out.metricSnapshot(gauge("swarm_manager_services_total", "The number of services in the cluster object store",
        tx.all(Table.SERVICES).size()));
    out.metricSnapshot(gauge("swarm_manager_networks_total", "The number of networks in the cluster object store",
        tx.all(Table.NETWORKS).size()));
    out.metricSnapshot(gauge("swarm_manager_secrets_total", "The number of secrets in the cluster object store",
        tx.all(Table.SECRETS).size()));
    out.metricSnapshot(gauge("swarm_manager_configs_total", "The number of configs in the cluster object store",
        tx.all(Table.CONFIGS).size()));
  }

  /** A gauge with a single unlabelled value. */
  public static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder().name(name).help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
  }

  private static <E extends Enum<E>> GaugeSnapshot byState(String name, String help, E[] states,
      Map<E, Integer> counts) {
    GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help);
    for (E state : states) {
      if (state.name().equals("UNRECOGNIZED")) {
        continue;
      }
      family.dataPoint(GaugeDataPointSnapshot.builder()
          .labels(Labels.of("state", state.name().toLowerCase(Locale.ROOT)))
          .value(counts.getOrDefault(state, 0)).build());
    }
    return family.build();
  }
}
