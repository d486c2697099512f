package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;

/**
 * Refuses cluster spec changes this swarm would store but not act on, so an operator never gets a
 * silent no-op: changed Raft tunables (Ratis takes its settings at start) and acceptance policies
 * (deprecated upstream; join tokens decide admission). Unchanged values pass, so a client's
 * get-then-update round trip still works.
 */
final class UnbuiltClusterSettings {

  private UnbuiltClusterSettings() {}

  static void refuse(Cluster current, ClusterSpec requested) {
    ClusterSpec now = current.getSpec();
    if (!requested.getRaft().equals(now.getRaft())) {
      throw ApiErrors.unimplemented("changing the raft settings is not supported: each manager applies its "
          + "raft settings when it starts");
    }
    if (!requested.getAcceptancePolicy().equals(now.getAcceptancePolicy())) {
      throw ApiErrors.unimplemented("acceptance policies are not supported (deprecated upstream): "
          + "join tokens decide which nodes join and with which role");
    }
  }
}
