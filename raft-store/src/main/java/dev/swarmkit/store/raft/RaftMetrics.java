package dev.swarmkit.store.raft;

import io.prometheus.metrics.core.metrics.Histogram;

/**
 * Upstream's {@code swarm_raft_*} latency timers (manager/state/raft): a store transaction from
 * proposal to local apply, and writing a snapshot. Process-wide, as Go's package-level metrics.
 */
public final class RaftMetrics {

  static final Histogram TRANSACTION = Histogram.builder()
      .name("swarm_raft_transaction_latency_seconds").help("Raft transaction latency.")
      .classicOnly().withoutExemplars().register();
  static final Histogram SNAPSHOT = Histogram.builder()
      .name("swarm_raft_snapshot_latency_seconds").help("Raft snapshot create latency.")
      .classicOnly().withoutExemplars().register();

  private RaftMetrics() {}

  /**
   * Registers the families (class initialization does it), so that a scrape shows them, at zero,
   * before the first observation and on nodes that never make one, as Go's init-time registration.
   */
  public static void register() {
    // The static fields above are initialized by now.
  }

  static void observeSince(Histogram histogram, long startNanos) {
    histogram.observe((System.nanoTime() - startNanos) / 1e9);
  }
}
