package dev.swarmkit.agent;

import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.api.GenericResource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How an {@link Agent} runs.
 *
 * @param stateDir the node's state directory; tasks are kept under {@code <stateDir>/worker/}
 * @param managers addresses ("host:port") to try when no manager list has been learned yet
 * @param executor runs the tasks
 * @param channels opens gRPC channels to managers (TLS is plugged in here)
 * @param genericResources {@code --generic-node-resources}, added to the executor's description
 * @param rpcTimeout timeout of unary calls and of session establishment (upstream 5s)
 * @param initialBackoff first reconnect backoff (upstream 100ms)
 * @param maxBackoff reconnect backoff ceiling (upstream 8s)
 * @param syncWrites fsync the task database on every write (true in production; simulations of
 *     hundreds of tasks per node may turn it off, keeping atomic but not crash-durable writes)
 */
public record AgentConfig(
    Path stateDir,
    Supplier<List<String>> managers,
    Executor executor,
    ChannelFactory channels,
    List<GenericResource> genericResources,
    Duration rpcTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    boolean syncWrites) {

  public AgentConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(managers, "managers");
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(channels, "channels");
    genericResources = genericResources == null ? List.of() : List.copyOf(genericResources);
    rpcTimeout = rpcTimeout == null ? Duration.ofSeconds(5) : rpcTimeout;
    initialBackoff = initialBackoff == null ? Duration.ofMillis(100) : initialBackoff;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(8) : maxBackoff;
  }

  /** Upstream defaults for the timings, durable writes. */
  public static AgentConfig of(Path stateDir, Supplier<List<String>> managers, Executor executor,
      ChannelFactory channels, List<GenericResource> genericResources) {
    return new AgentConfig(stateDir, managers, executor, channels, genericResources, null, null, null, true);
  }

  /** The same configuration with durable (fsynced) task database writes on or off. */
  public AgentConfig withSyncWrites(boolean sync) {
    return new AgentConfig(stateDir, managers, executor, channels, genericResources, rpcTimeout,
        initialBackoff, maxBackoff, sync);
  }
}
