package dev.swarmkit.manager.dispatcher;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.prometheus.metrics.core.metrics.Histogram;

/** Upstream's {@code swarm_dispatcher_*} metrics (manager/dispatcher/dispatcher.go). */
public final class DispatcherMetrics {

  static final Histogram SCHEDULING_DELAY = Histogram.builder()
      .name("swarm_dispatcher_scheduling_delay_seconds")
      .help("Scheduling delay is the time a task takes to go from NEW to RUNNING state.")
      .classicOnly().withoutExemplars().register();

  private DispatcherMetrics() {}

  /**
   * Registers the families (class initialization does it), so that a scrape shows them, at zero,
   * before the first observation and on nodes that never make one, as Go's init-time registration.
   */
  public static void register() {
    // The static fields above are initialized by now.
  }

  /**
   * Records a task reaching RUNNING, measured on the leader's clock from the task's creation (upstream
   * takes a status timestamp; the creation time is what the help text promises and is never zero).
   */
  static void taskRunning(Timestamp createdAt, long nowMillis) {
    if (createdAt.getSeconds() == 0 && createdAt.getNanos() == 0) {
      return;
    }
    SCHEDULING_DELAY.observe(Math.max(0, nowMillis - Timestamps.toMillis(createdAt)) / 1000.0);
  }
}
