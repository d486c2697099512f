package dev.swarmkit.agent.secrets;

import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Task;
import java.util.HashSet;
import java.util.Set;

/**
 * The node's secrets and configs as one task may see them: only those its container spec references
 * (upstream's secrets.Restrict and configs.Restrict), so a task cannot read another service's secret
 * through a template.
 */
public final class TaskDependencies {

  private final DependencyStore store;
  private final ContainerSpec container;
  private final Set<String> secretIds = new HashSet<>();
  private final Set<String> configIds = new HashSet<>();

  private TaskDependencies(DependencyStore store, Task task) {
    this.store = store;
    this.container = task.getSpec().getContainer();
    container.getSecretsList().forEach(r -> secretIds.add(r.getSecretId()));
    container.getConfigsList().forEach(r -> configIds.add(r.getConfigId()));
  }

  public static TaskDependencies restrict(DependencyStore store, Task task) {
    return new TaskDependencies(store, task);
  }

  public Secret secret(String id) throws DependencyException {
    if (!secretIds.contains(id)) {
      throw new DependencyException("task not authorized to access secret " + id);
    }
    return store.secret(id).orElseThrow(() -> new DependencyException("secret " + id + " not found"));
  }

  public Config config(String id) throws DependencyException {
    if (!configIds.contains(id)) {
      throw new DependencyException("task not authorized to access config " + id);
    }
    return store.config(id).orElseThrow(() -> new DependencyException("config " + id + " not found"));
  }

  /** The secret the task mounts at file target {@code target} (as written in its reference). */
  public Secret secretByTarget(String target) throws DependencyException {
    for (SecretReference ref : container.getSecretsList()) {
      if (ref.hasFile() && ref.getFile().getName().equals(target)) {
        return secret(ref.getSecretId());
      }
    }
    throw new DependencyException("secret target " + target + " not found");
  }

  /** The config the task mounts at file target {@code target} (as written in its reference). */
  public Config configByTarget(String target) throws DependencyException {
    for (ConfigReference ref : container.getConfigsList()) {
      if (ref.hasFile() && ref.getFile().getName().equals(target)) {
        return config(ref.getConfigId());
      }
    }
    throw new DependencyException("config target " + target + " not found");
  }
}
