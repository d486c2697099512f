package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Cluster;
import java.security.SecureRandom;

/**
 * Generates the secrets UpdateCluster rotates: join tokens (derived from the cluster's root CA, so
 * the CA component implements it) and the manager unlock key.
 */
public interface ClusterTokenRotator {

  /** A fresh join token ("SWMTKN-1-...") bound to the cluster's current root CA. */
  String newJoinToken(Cluster cluster);

  /** A fresh key for locking the managers' raft data (upstream: 32 random bytes). */
  default byte[] newUnlockKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
