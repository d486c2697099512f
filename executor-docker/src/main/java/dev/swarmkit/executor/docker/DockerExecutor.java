package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import dev.swarmkit.executor.docker.secrets.ReleasingDependencies;
import dev.swarmkit.executor.docker.secrets.TaskFileStore;
import dev.swarmkit.executor.docker.secrets.TaskMounts;
import dev.swarmkit.executor.docker.secrets.TmpfsRoot;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * Runs tasks as Docker containers (upstream's swarmd/dockerexec executor). One engine client and one
 * bound on concurrent prepare/start operations are shared by all of its controllers.
 *
 * <pre>{@code
 * try (DockerExecutor executor = new DockerExecutor(DockerExecutorConfig.defaults())) {
 *   NodeDescription node = executor.describe();
 *   Controller c = executor.controller(task);
 * }
 * }</pre>
 */
public final class DockerExecutor implements Executor, Closeable {

  private final DockerExecutorConfig config;
  private final DockerClient client;
  private final Semaphore operations;
  private final ContainerEvents events;
  /** Secret and config files of tasks, on a tmpfs, and the values the dispatcher assigned. */
  private final TaskFileStore taskFiles;
  private final ReleasingDependencies dependencies;
  /** The last description, for templates such as {{.Node.Hostname}} (upstream keeps it the same way). */
  private volatile NodeDescription node;

  public DockerExecutor(DockerExecutorConfig config) {
    this(config, DockerClients.create(config));
  }

  /** Uses a client the caller built (and keeps owning it only if it does not call {@link #close}). */
  public DockerExecutor(DockerExecutorConfig config, DockerClient client) {
    this(config, client, new TaskFileStore(TmpfsRoot.DEFAULT_CANDIDATES));
  }

  /** Keeps tasks' secret and config files in {@code taskFiles}. */
  public DockerExecutor(DockerExecutorConfig config, DockerClient client, TaskFileStore taskFiles) {
    this.config = config;
    this.client = client;
    this.operations = new Semaphore(config.maxConcurrentOperations());
    this.events = new ContainerEvents(client);
    this.taskFiles = taskFiles;
    this.dependencies = new ReleasingDependencies(taskFiles);
  }

  /** Where tasks' secret and config files are written. */
  public TaskFileStore taskFiles() {
    return taskFiles;
  }

  public DockerExecutorConfig config() {
    return config;
  }

  /** The engine client, for helpers such as {@link OrphanReaper}. */
  public DockerClient client() {
    return client;
  }

  @Override
  public NodeDescription describe() throws ExecutorException {
    try {
      NodeDescription description = EngineDescription.of(client.infoCmd().exec());
      node = description;
      return description;
    } catch (RuntimeException e) {
      throw new ExecutorException("describing the Docker engine at " + config.engineAddress() + " failed: "
          + DockerErrors.message(e), e);
    }
  }

  @Override
  public void configure(Node node) {
    // Nothing on the engine depends on the node's manager-side state (upstream does the same).
  }

  @Override
  public DockerController controller(Task task) throws ExecutorException {
    return new DockerController(client, events, operations, node, task,
        new TaskMounts(taskFiles, dependencies, node, task, TaskContainers.name(task)));
  }

  @Override
  public DependencyStore dependencies() {
    return dependencies;
  }

  @Override
  public void close() throws IOException {
    events.close();
    client.close();
  }
}
