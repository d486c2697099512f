package dev.swarmkit.manager.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {

  private final MemoryStore store = new MemoryStore();
  private final AtomicBoolean leader = new AtomicBoolean(true);
  private final ClusterMetrics metrics = new ClusterMetrics(store, leader::get);

  @Test
  void nodesAndTasksAreCountedByTheirObservedState() {
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", NodeStatus.State.READY));
      tx.create(Table.NODES, node("n2", NodeStatus.State.READY));
      tx.create(Table.NODES, node("n3", NodeStatus.State.DOWN));
      tx.create(Table.TASKS, task("t1", TaskState.RUNNING));
      tx.create(Table.TASKS, task("t2", TaskState.RUNNING));
      tx.create(Table.TASKS, task("t3", TaskState.PENDING));
    });

    assertThat(scrape()).contains(
        "swarm_manager_nodes{state=\"ready\"} 2.0\n",
        "swarm_manager_nodes{state=\"down\"} 1.0\n",
        "swarm_manager_nodes{state=\"disconnected\"} 0.0\n",
        "swarm_manager_tasks_total{state=\"running\"} 2.0\n",
        "swarm_manager_tasks_total{state=\"pending\"} 1.0\n",
        "swarm_manager_tasks_total{state=\"orphaned\"} 0.0\n");
  }

  @Test
  void aScrapeReadsTheStoreAsItIsNow() {
    store.update(tx -> tx.create(Table.TASKS, task("t1", TaskState.PENDING)));
    assertThat(scrape()).contains("swarm_manager_tasks_total{state=\"pending\"} 1.0\n");

    store.update(tx -> tx.update(Table.TASKS, tx.get(Table.TASKS, "t1").orElseThrow().toBuilder()
        .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build()));

    assertThat(scrape()).contains(
        "swarm_manager_tasks_total{state=\"pending\"} 0.0\n",
        "swarm_manager_tasks_total{state=\"running\"} 1.0\n");
  }

  @Test
  void objectsWithoutStateAreCountedAsPlainGauges() {
    store.update(tx -> {
      tx.create(Table.NETWORKS, Network.newBuilder().setId("net1").build());
      tx.create(Table.SECRETS, Secret.newBuilder().setId("s1").build());
      tx.create(Table.SECRETS, Secret.newBuilder().setId("s2").build());
    });

    assertThat(scrape()).contains(
        "# TYPE swarm_manager_services_total gauge\nswarm_manager_services_total 0.0\n",
        "swarm_manager_networks_total 1.0\n",
        "swarm_manager_secrets_total 2.0\n",
        "swarm_manager_configs_total 0.0\n");
  }

  @Test
  void leaderGaugeFollowsThisManagersLeadership() {
    assertThat(scrape()).contains("swarm_manager_leader 1.0\n");
    leader.set(false);
    assertThat(scrape()).contains("swarm_manager_leader 0.0\n");
  }

  private String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, metrics.collect());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Node node(String id, NodeStatus.State state) {
    return Node.newBuilder().setId(id).setStatus(NodeStatus.newBuilder().setState(state)).build();
  }

  private static Task task(String id, TaskState state) {
    return Task.newBuilder().setId(id).setServiceId("svc").setSlot(1)
        .setStatus(TaskStatus.newBuilder().setState(state)).build();
  }
}
