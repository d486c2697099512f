package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.RootCA;

/**
 * Validates a cluster's CA configuration after a spec change and returns the root CA to store
 * (upstream's validateCAConfig, which may start a root rotation). Implemented by the CA component;
 * it throws an INVALID_ARGUMENT status for an unusable configuration.
 */
@FunctionalInterface
public interface RootCaReconciler {

  RootCA reconcile(Cluster updated);

  /** Leaves the root CA unchanged (no CA rotation support wired). */
  static RootCaReconciler keepCurrent() {
    return Cluster::getRootCa;
  }
}
