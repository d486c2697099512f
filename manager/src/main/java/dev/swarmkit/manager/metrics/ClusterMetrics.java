package dev.swarmkit.manager.metrics;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.metrics.MetricFamily.Sample;
import dev.swarmkit.manager.metrics.MetricFamily.Type;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The manager's gauges, with upstream's names: object counts read from one view of this manager's
 * store on each scrape (any manager's replica will do, leader or not), and whether it leads Raft.
 * Every known node and task state is exposed, at 0 when no object is in it, as upstream does.
 */
public final class ClusterMetrics {

  private final Store store;
  private final BooleanSupplier leader;

  public ClusterMetrics(Store store, BooleanSupplier leader) {
    this.store = store;
    this.leader = leader;
  }

  public List<MetricFamily> collect() {
    List<MetricFamily> families = new ArrayList<>(store.view(this::counts));
    families.add(MetricFamily.gauge("swarm_manager_leader", "Indicates if this manager node is a leader",
        leader.getAsBoolean() ? 1 : 0));
    return families;
  }

  private List<MetricFamily> counts(ReadTx tx) {
    Map<NodeStatus.State, Integer> nodes = new EnumMap<>(NodeStatus.State.class);
    for (Node node : tx.all(Table.NODES)) {
      nodes.merge(node.getStatus().getState(), 1, Integer::sum);
    }
    Map<TaskState, Integer> tasks = new EnumMap<>(TaskState.class);
    for (Task task : tx.all(Table.TASKS)) {
      tasks.merge(task.getStatus().getState(), 1, Integer::sum);
    }
    return List.of(
        byState("swarm_manager_nodes", "The number of nodes", NodeStatus.State.values(), nodes),
        byState("swarm_manager_tasks_total", "The number of tasks in the cluster object store",
            TaskState.values(), tasks),
        MetricFamily.gauge("swarm_manager_services_total", "The number of services in the cluster object store",
            tx.all(Table.SERVICES).size()),
        MetricFamily.gauge("swarm_manager_networks_total", "The number of networks in the cluster object store",
            tx.all(Table.NETWORKS).size()),
        MetricFamily.gauge("swarm_manager_secrets_total", "The number of secrets in the cluster object store",
            tx.all(Table.SECRETS).size()),
        MetricFamily.gauge("swarm_manager_configs_total", "The number of configs in the cluster object store",
            tx.all(Table.CONFIGS).size()));
  }

  private static <E extends Enum<E>> MetricFamily byState(String name, String help, E[] states,
      Map<E, Integer> counts) {
    List<Sample> samples = new ArrayList<>();
    for (E state : states) {
      if (state.name().equals("UNRECOGNIZED")) {
        continue;
      }
      samples.add(new Sample(Map.of("state", state.name().toLowerCase(Locale.ROOT)),
          counts.getOrDefault(state, 0)));
    }
    return new MetricFamily(name, help, Type.GAUGE, samples);
  }
}
