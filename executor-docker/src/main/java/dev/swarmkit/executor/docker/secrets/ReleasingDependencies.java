package dev.swarmkit.executor.docker.secrets;

import dev.swarmkit.agent.secrets.Dependencies;

/**
 * The node's secrets and configs in memory; taking one away (the dispatcher no longer assigns it
 * because no running task here references it) also deletes the files that hold its value.
 */
public final class ReleasingDependencies extends Dependencies {

  private final TaskFileStore files;

  public ReleasingDependencies(TaskFileStore files) {
    this.files = files;
  }

  @Override
  public void removeSecret(String id) {
    super.removeSecret(id);
    files.release(id);
  }

  @Override
  public void removeConfig(String id) {
    super.removeConfig(id);
    files.release(id);
  }
}
