/**
 * Runs swarm tasks as Docker containers through docker-java on the zerodep transport (upstream's
 * swarmd/dockerexec). {@link dev.swarmkit.executor.docker.DockerExecutor} is the agent's {@code
 * Executor}; each task gets a {@link dev.swarmkit.executor.docker.DockerController} that finds its
 * container by the task's name, so a restarted worker adopts what it already runs. {@link
 * dev.swarmkit.executor.docker.OrphanReaper} removes containers of tasks the worker no longer
 * knows, and {@link dev.swarmkit.executor.docker.TaskLogPublisher} feeds log subscriptions.
 */
package dev.swarmkit.executor.docker;
