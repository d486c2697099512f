package dev.swarmkit.swarmd;

import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.util.List;

/** An executor whose node description reports {@code --hostname} instead of the machine's name. */
final class HostnameOverride implements Executor {
  private final Executor delegate;
  private final String hostname;

  HostnameOverride(Executor delegate, String hostname) {
    this.delegate = delegate;
    this.hostname = hostname;
  }

  static Executor wrap(Executor executor, String hostname) {
    return hostname == null || hostname.isEmpty() ? executor : new HostnameOverride(executor, hostname);
  }

  @Override
  public NodeDescription describe() throws ExecutorException {
    return delegate.describe().toBuilder().setHostname(hostname).build();
  }

  @Override
  public void configure(Node node) throws ExecutorException {
    delegate.configure(node);
  }

  @Override
  public Controller controller(Task task) throws ExecutorException {
    return delegate.controller(task);
  }

  @Override
  public void setNetworkBootstrapKeys(List<EncryptionKey> keys) {
    delegate.setNetworkBootstrapKeys(keys);
  }

  @Override
  public DependencyStore dependencies() {
    return delegate.dependencies();
  }
}
