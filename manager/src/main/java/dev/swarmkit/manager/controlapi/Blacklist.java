package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Cluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Housekeeping of the cluster's certificate blacklist (removed nodes' certificates). */
final class Blacklist {

  /** How long a removed node stays blacklisted after its certificate expired. */
  private static final Duration EXPIRED_CERT_GRACE = Duration.ofDays(7);

  private Blacklist() {}

  /** Drops entries whose certificate expired more than the grace period ago. */
  static void expire(Cluster.Builder cluster) {
    Instant cutoff = Instant.now().minus(EXPIRED_CERT_GRACE);
    List<String> expired = cluster.getBlacklistedCertificatesMap().entrySet().stream()
        .filter(e -> e.getValue().hasExpiry() && Protos.instant(e.getValue().getExpiry()).isBefore(cutoff))
        .map(Map.Entry::getKey)
        .toList();
    expired.forEach(cluster::removeBlacklistedCertificates);
  }
}
