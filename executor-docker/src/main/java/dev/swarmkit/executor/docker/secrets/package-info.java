/**
 * Secrets and configs as files in task containers, with Docker Swarm's semantics (moby's
 * daemon/cluster executor): {@link dev.swarmkit.executor.docker.secrets.TaskFiles} decides each
 * file (target, data after templating, owner, mode), {@link
 * dev.swarmkit.executor.docker.secrets.TaskFileStore} writes them under a tmpfs only and deletes
 * them, and {@link dev.swarmkit.executor.docker.secrets.TaskMounts} is the controller's hook that
 * bind-mounts them read-only into the container.
 */
package dev.swarmkit.executor.docker.secrets;
