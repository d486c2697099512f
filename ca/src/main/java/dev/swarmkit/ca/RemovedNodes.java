package dev.swarmkit.ca;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;

/** Whether a node was removed from the swarm, so its (still valid) certificate must be refused. */
@FunctionalInterface
public interface RemovedNodes {

  boolean isRemoved(String nodeId);

  /** Nobody is removed. */
  static RemovedNodes none() {
    return nodeId -> false;
  }

  /** Nodes listed in the cluster's blacklisted_certificates (what upstream's node removal records). */
  static RemovedNodes blacklistOf(Store store, String clusterId) {
    return nodeId -> store.view(tx -> tx.get(Table.CLUSTERS, clusterId)
        .map(Cluster::getBlacklistedCertificatesMap)
        .map(m -> m.containsKey(nodeId))
        .orElse(false));
  }
}
