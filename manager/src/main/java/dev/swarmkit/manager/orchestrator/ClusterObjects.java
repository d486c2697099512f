package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;
import java.util.List;

/** Finds the cluster object the orchestrators take defaults from. */
public final class ClusterObjects {

  /** Upstream's store.DefaultClusterName. */
  public static final String DEFAULT_CLUSTER_NAME = "default";

  private ClusterObjects() {}

  /** The default cluster, or null until it is created. */
  public static Cluster defaultCluster(ReadTx tx) {
    List<Cluster> clusters = tx.find(Table.CLUSTERS, By.name(DEFAULT_CLUSTER_NAME));
    return clusters.size() == 1 ? clusters.get(0) : null;
  }
}
