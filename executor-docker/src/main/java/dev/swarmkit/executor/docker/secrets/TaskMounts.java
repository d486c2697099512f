package dev.swarmkit.executor.docker.secrets;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.agent.secrets.TaskDependencies;
import dev.swarmkit.agent.template.PayloadTemplates;
import dev.swarmkit.agent.template.TemplateContext;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One task's secrets and configs as read-only bind mounts of files on the node's tmpfs: written
 * before the container is created, written again before it starts if they are gone (a reboot
 * empties the tmpfs), deleted when the container is removed. A task with no references is left
 * alone, so a node without a tmpfs still runs every other task.
 */
public final class TaskMounts {

  private final TaskFileStore store;
  private final DependencyStore dependencies;
  private final NodeDescription node;
  private final Task task;
  private final String taskName;

  public TaskMounts(TaskFileStore store, DependencyStore dependencies, NodeDescription node, Task task, String taskName) {
    this.store = store;
    this.dependencies = dependencies;
    this.node = node;
    this.task = task;
    this.taskName = taskName;
    Set<String> ids = new HashSet<>();
    container().getSecretsList().forEach(r -> ids.add(r.getSecretId()));
    container().getConfigsList().forEach(r -> ids.add(r.getConfigId()));
    store.track(task.getNodeId(), task.getId(), ids);
  }

  private ContainerSpec container() {
    return task.getSpec().getContainer();
  }

  private boolean none() {
    return container().getSecretsCount() == 0 && container().getConfigsCount() == 0;
  }

  /** Writes the files and adds their read-only mounts to the create request. */
  public CreateContainerCmd applyTo(CreateContainerCmd cmd) throws ExecutorException {
    if (none()) {
      return cmd;
    }
    List<TaskFile> files = files();
    List<Path> paths = write(files);
    HostConfig host = cmd.getHostConfig() != null ? cmd.getHostConfig() : HostConfig.newHostConfig();
    List<Mount> mounts = new ArrayList<>(host.getMounts() == null ? List.of() : host.getMounts());
    for (int i = 0; i < files.size(); i++) {
      mounts.add(new Mount().withType(MountType.BIND).withSource(paths.get(i).toString())
          .withTarget(files.get(i).target()).withReadOnly(true));
    }
    cmd.withHostConfig(host.withMounts(mounts));
    return cmd;
  }

  /** Before a start: rewrites the files if any is missing. */
  public void ensure() throws ExecutorException {
    if (none()) {
      return;
    }
    try {
      if (store.present(task.getNodeId(), task.getId(), container().getSecretsCount(), container().getConfigsCount())) {
        return;
      }
    } catch (IOException e) {
      throw new ExecutorException("checking secret and config files failed: " + e.getMessage(), e);
    }
    write(files());
  }

  /** Deletes the task's files. */
  public void remove() throws ExecutorException {
    if (none()) {
      return;
    }
    try {
      store.remove(task.getNodeId(), task.getId());
    } catch (IOException e) {
      throw new ExecutorException("removing secret and config files failed: " + e.getMessage(), e);
    }
  }

  private List<TaskFile> files() throws ExecutorException.Rejected {
    TaskDependencies restricted = TaskDependencies.restrict(dependencies, task);
    PayloadTemplates templates = new PayloadTemplates(TemplateContext.of(node, task, taskName), task, restricted);
    return TaskFiles.of(container(), restricted, templates);
  }

  private List<Path> write(List<TaskFile> files) throws ExecutorException {
    try {
      return store.write(task.getNodeId(), task.getId(), files);
    } catch (IOException e) {
      // No tmpfs, or no right to give the files their owner: this node cannot run the task.
      throw new ExecutorException.Rejected("writing secret and config files failed: " + e.getMessage(), e);
    }
  }
}
