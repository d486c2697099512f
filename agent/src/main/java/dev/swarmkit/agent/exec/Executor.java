package dev.swarmkit.agent.exec;

import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.util.List;

/**
 * Runs tasks on this node. The seam between the agent and a container runtime (upstream's
 * agent/exec.Executor): the Docker executor in production, a simulated one in tests.
 */
public interface Executor {

  /** What this node offers: hostname, platform, resources, engine version, labels and plugins. */
  NodeDescription describe() throws ExecutorException;

  /** Passes node state from the manager (for example the node's labels) down to the runtime. */
  void configure(Node node) throws ExecutorException;

  /** A controller for one task; the same task ID always gets a controller for the same container. */
  Controller controller(Task task) throws ExecutorException;

  /** Network bootstrap keys from the managers. */
  default void setNetworkBootstrapKeys(List<EncryptionKey> keys) {}

  /** Secrets and configs that tasks may reference, kept up to date from assignments. */
  default DependencyStore dependencies() {
    return DependencyStore.NONE;
  }
}
