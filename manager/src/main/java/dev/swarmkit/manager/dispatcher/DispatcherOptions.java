package dev.swarmkit.manager.dispatcher;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the {@link Dispatcher}, defaults as upstream. The heartbeat period is replaced by the
 * cluster's {@code DispatcherConfig.heartbeat_period} when the cluster object sets one.
 *
 * @param heartbeatPeriod how often agents heartbeat (upstream default 5s)
 * @param heartbeatEpsilon random jitter added to each period, +/- this much (upstream 500ms)
 * @param gracePeriodMultiplier missed periods before a node is marked down (upstream 3)
 * @param rateLimitPeriod window in which a node may re-register at most 3 times (upstream 8s)
 * @param nodeDownPeriod how long a down node keeps its tasks before they become ORPHANED (24h)
 * @param batchInterval how often buffered status updates are committed (upstream 100ms)
 * @param createUnknownNodes register nodes missing from the store by creating them (upstream
 *     requires the CA to have created the node; keep true only where nothing else creates them)
 * @param managerNodeId this manager's node ID, written to {@code TaskStatus.applied_by}
 */
public record DispatcherOptions(
    Duration heartbeatPeriod,
    Duration heartbeatEpsilon,
    int gracePeriodMultiplier,
    Duration rateLimitPeriod,
    Duration nodeDownPeriod,
    Duration batchInterval,
    boolean createUnknownNodes,
    String managerNodeId) {

  public static final Duration DEFAULT_HEARTBEAT_PERIOD = Duration.ofSeconds(5);

  public DispatcherOptions {
    Objects.requireNonNull(heartbeatPeriod, "heartbeatPeriod");
    Objects.requireNonNull(heartbeatEpsilon, "heartbeatEpsilon");
    Objects.requireNonNull(rateLimitPeriod, "rateLimitPeriod");
    Objects.requireNonNull(nodeDownPeriod, "nodeDownPeriod");
    Objects.requireNonNull(batchInterval, "batchInterval");
    if (heartbeatPeriod.isNegative() || heartbeatPeriod.isZero()) {
      throw new IllegalArgumentException("heartbeat period must be positive");
    }
    if (gracePeriodMultiplier < 1) {
      throw new IllegalArgumentException("grace period multiplier must be at least 1");
    }
    managerNodeId = managerNodeId == null ? "" : managerNodeId;
  }

  /** Upstream's DefaultConfig. */
  public static DispatcherOptions defaults() {
    return new DispatcherOptions(DEFAULT_HEARTBEAT_PERIOD, Duration.ofMillis(500), 3,
        Duration.ofSeconds(8), Duration.ofHours(24), Duration.ofMillis(100), true, "");
  }

  public DispatcherOptions withHeartbeatPeriod(Duration period) {
    return new DispatcherOptions(period, heartbeatEpsilon, gracePeriodMultiplier, rateLimitPeriod,
        nodeDownPeriod, batchInterval, createUnknownNodes, managerNodeId);
  }

  public DispatcherOptions withHeartbeatEpsilon(Duration epsilon) {
    return new DispatcherOptions(heartbeatPeriod, epsilon, gracePeriodMultiplier, rateLimitPeriod,
        nodeDownPeriod, batchInterval, createUnknownNodes, managerNodeId);
  }

  public DispatcherOptions withRateLimitPeriod(Duration period) {
    return new DispatcherOptions(heartbeatPeriod, heartbeatEpsilon, gracePeriodMultiplier, period,
        nodeDownPeriod, batchInterval, createUnknownNodes, managerNodeId);
  }

  public DispatcherOptions withNodeDownPeriod(Duration period) {
    return new DispatcherOptions(heartbeatPeriod, heartbeatEpsilon, gracePeriodMultiplier,
        rateLimitPeriod, period, batchInterval, createUnknownNodes, managerNodeId);
  }

  public DispatcherOptions withCreateUnknownNodes(boolean create) {
    return new DispatcherOptions(heartbeatPeriod, heartbeatEpsilon, gracePeriodMultiplier,
        rateLimitPeriod, nodeDownPeriod, batchInterval, create, managerNodeId);
  }

  public DispatcherOptions withManagerNodeId(String nodeId) {
    return new DispatcherOptions(heartbeatPeriod, heartbeatEpsilon, gracePeriodMultiplier,
        rateLimitPeriod, nodeDownPeriod, batchInterval, createUnknownNodes, nodeId);
  }
}
