package dev.swarmkit.store;

import io.prometheus.metrics.core.metrics.Histogram;

/**
 * Upstream's {@code swarm_store_*} latency timers (manager/state/store/memory.go), as histograms
 * with Prometheus' default buckets in the process-wide registry: like Go's package-level metrics
 * they count every store of the process (one per manager).
 *
 * <p>Upstream's per-lookup timer ({@code swarm_store_lookup_latency_seconds}) is left out: timing
 * each object read costs two clock reads and an observation (~250 ns on a loaded 2-vCPU VM),
 * several times the read itself (~130 ns), while the per-transaction timers here cost that once per
 * view or write.
 */
public final class StoreMetrics {

  static final Histogram WRITE_TX = timer("swarm_store_write_tx_latency_seconds", "Raft store write tx latency.");
  static final Histogram READ_TX = timer("swarm_store_read_tx_latency_seconds", "Raft store read tx latency.");
  static final Histogram BATCH = timer("swarm_store_batch_latency_seconds", "Raft store batch latency.");
  static final Histogram LOCK_HELD = timer("swarm_store_memory_store_lock_duration_seconds",
      "Duration for which the raft memory store lock was held.");

  private StoreMetrics() {}

  /**
   * Registers the families (class initialization does it), so that a scrape shows them, at zero,
   * before the first observation and on nodes that never make one, as Go's init-time registration.
   */
  public static void register() {
    // The static fields above are initialized by now.
  }

  static Histogram timer(String name, String help) {
    return Histogram.builder().name(name).help(help).classicOnly().withoutExemplars().register();
  }

  /** Records the seconds elapsed since {@code startNanos} (a {@link System#nanoTime} reading). */
  static void observeSince(Histogram histogram, long startNanos) {
    histogram.observe((System.nanoTime() - startNanos) / 1e9);
  }
}
