package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.ContainerStatus;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.PortStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.executor.docker.secrets.TaskMounts;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one task's container on the Docker engine, as upstream's dockerexec controller. Every call
 * addresses the container by its task name, so a controller made by a fresh executor (after an
 * agent restart) finds the container an earlier one created.
 */
public final class DockerController implements Controller {

  private static final Logger log = LoggerFactory.getLogger(DockerController.class);

  /** How often a waiter re-inspects the container when no event arrives. */
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final DockerClient client;
  private final ContainerEvents events;
  private final Semaphore operations;
  private final NodeDescription node;
  private final ImagePuller images;
  private volatile ContainerSpecMapping mapping;
  private final TaskMounts secretsAndConfigs;
  private final AtomicBoolean closed = new AtomicBoolean();

  DockerController(DockerClient client, ContainerEvents events, Semaphore operations, NodeDescription node,
      Task task, TaskMounts secretsAndConfigs) throws ExecutorException {
    this.client = client;
    this.secretsAndConfigs = secretsAndConfigs;
    this.events = events;
    this.node = node;
    this.operations = operations;
    this.images = new ImagePuller(client);
    this.mapping = new ContainerSpecMapping(node, task);
  }

  /** The container's name on the engine. */
  public String containerName() {
    return mapping.name();
  }

  public Task task() {
    return mapping.task();
  }

  @Override
  public void update(Task task) throws ExecutorException {
    checkClosed();
    if (!task.getId().equals(mapping.task().getId())) {
      throw new ExecutorException("cannot update controller of task " + mapping.task().getId() + " with task " + task.getId());
    }
    // Only the task's metadata can change under a running container; the container keeps its spec.
    mapping = new ContainerSpecMapping(node, task);
  }

  @Override
  public void prepare() throws ExecutorException {
    checkClosed();
    withOperationSlot(() -> {
      String pullAuth = mapping.spec().hasPullOptions() ? mapping.spec().getPullOptions().getRegistryAuth() : "";
      images.ensure(mapping.image(), pullAuth);
      mapping.networks().create(client);
      CreateContainerCmd create = secretsAndConfigs.applyTo(mapping.applyTo(client.createContainerCmd(mapping.image())));
      try {
        try {
          create.exec();
        } catch (NotFoundException e) {
          // Another task's removal may have taken the shared network away meanwhile: once more.
          mapping.networks().create(client);
          create.exec();
        }
        mapping.networks().connectRest(client, containerName());
      } catch (ConflictException e) {
        // The name is the task's: an earlier controller (perhaps before an agent restart) made it.
        throw new ExecutorException.AlreadyDone("task already prepared: container " + containerName() + " exists");
      } catch (BadRequestException | NotFoundException e) {
        throw new ExecutorException.Rejected("creating container failed: " + DockerErrors.message(e), e);
      } catch (RuntimeException e) {
        throw new ExecutorException("creating container failed: " + DockerErrors.message(e), e);
      }
      return null;
    });
  }

  @Override
  public void start() throws ExecutorException {
    checkClosed();
    withOperationSlot(() -> {
      InspectContainerResponse container = inspectOrNull();
      if (container == null) {
        throw new ExecutorException("starting container failed: container " + containerName() + " does not exist");
      }
      // A container that left "created" was started before; starting it again would rerun the task.
      if (!"created".equals(container.getState().getStatus())) {
        throw new ExecutorException.AlreadyDone("task already started");
      }
      secretsAndConfigs.ensure();
      try {
        client.startContainerCmd(containerName()).exec();
      } catch (NotModifiedException e) {
        throw new ExecutorException.AlreadyDone("task already started");
      } catch (RuntimeException e) {
        throw new ExecutorException("starting container failed: " + DockerErrors.message(e), e);
      }
      return null;
    });
  }

  @Override
  public void waitReady(Duration timeout) throws ExecutorException, InterruptedException {
    checkClosed();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (ContainerEvents.Watch events = this.events.watch(containerName())) {
      while (true) {
        InspectContainerResponse container = inspectExisting();
        if (exitedCleanly(container)) {
          return;
        }
        if (!"created".equals(container.getState().getStatus())) {
          if (!hasHealthcheck(container)) {
            return;
          }
          String health = container.getState().getHealth() == null ? null : container.getState().getHealth().getStatus();
          if ("healthy".equals(health)) {
            return;
          }
          if ("unhealthy".equals(health)) {
            shutdownUnhealthy();
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new ExecutorException("timed out after " + timeout + " waiting for container " + containerName() + " to become ready");
        }
        events.next(Duration.ofNanos(Math.min(left, POLL_INTERVAL.toNanos())));
        checkClosed();
      }
    }
  }

  @Override
  public void waitExit() throws ExecutorException, InterruptedException {
    checkClosed();
    try (ContainerEvents.Watch events = this.events.watch(containerName())) {
      while (!hasExited()) {
        events.next(POLL_INTERVAL);
        checkClosed();
      }
    }
  }

  /**
   * One look at a container being waited on: true once it has exited with code 0. A non-zero exit
   * throws {@link ExecutorException.ExitError}, a destroyed container throws, and an unhealthy one
   * is stopped and throws.
   */
  private boolean hasExited() throws ExecutorException {
    InspectContainerResponse container = inspectExisting();
    if (exitedCleanly(container)) {
      return true;
    }
    String health = container.getState().getHealth() == null ? null : container.getState().getHealth().getStatus();
    if ("unhealthy".equals(health) && hasHealthcheck(container)) {
      shutdownUnhealthy();
    }
    return false;
  }

  private InspectContainerResponse inspectExisting() throws ExecutorException {
    InspectContainerResponse container = inspectOrNull();
    if (container == null) {
      throw new ExecutorException("dockerexec: container destroyed");
    }
    return container;
  }

  /** Whether the container has exited: true for code 0, {@link ExecutorException.ExitError} otherwise. */
  private static boolean exitedCleanly(InspectContainerResponse container) throws ExecutorException.ExitError {
    String status = container.getState().getStatus();
    if ("exited".equals(status) || "dead".equals(status)) {
      throwIfFailed(container);
      return true;
    }
    return false;
  }

  /**
   * Completes when the container exits, without a thread of its own: the container's engine events
   * and a shared timer (every poll interval, for events lost while the stream reconnects) trigger a
   * check on a shared pool. Completes exceptionally as {@link #waitExit} throws; cancelling it stops
   * the checks.
   */
  @Override
  public CompletableFuture<Void> exitFuture() {
    CompletableFuture<Void> exit = new CompletableFuture<>();
    Runnable check = () -> checkExit(exit);
    ContainerEvents.Watch watch;
    try {
      checkClosed();
      watch = events.watch(containerName(), () -> ExitChecks.POOL.execute(check));
    } catch (ExecutorException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(new java.util.concurrent.CancellationException("interrupted"));
    }
    ScheduledFuture<?> poll = ExitChecks.POOL.scheduleWithFixedDelay(check, 0, POLL_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    exit.whenComplete((v, e) -> {
      poll.cancel(false);
      watch.close();
    });
    return exit;
  }

  /** One check of a container being waited on; overlapping triggers of one wait run one at a time. */
  private void checkExit(CompletableFuture<Void> exit) {
    synchronized (exit) {
      if (exit.isDone()) {
        return;
      }
      try {
        checkClosed();
        if (hasExited()) {
          exit.complete(null);
        }
      } catch (ExecutorException | RuntimeException e) {
        exit.completeExceptionally(e);
      }
    }
  }

  /** The shared threads that check containers being waited on (they call the engine, so not the timer alone). */
  private static final class ExitChecks {
    static final ScheduledThreadPoolExecutor POOL = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "docker-exit-checks");
      t.setDaemon(true);
      return t;
    });

    static {
      POOL.setRemoveOnCancelPolicy(true);
    }
  }

  private void shutdownUnhealthy() throws ExecutorException {
    try {
      shutdown();
    } catch (ExecutorException e) {
      throw new ExecutorException("unhealthy container shutdown failed: " + e.getMessage(), e);
    }
    throw new ExecutorException("dockerexec: unhealthy container");
  }

  private static void throwIfFailed(InspectContainerResponse container) throws ExecutorException.ExitError {
    Long code = container.getState().getExitCodeLong();
    if (code != null && code != 0) {
      throw new ExecutorException.ExitError(code.intValue());
    }
  }

  private static boolean hasHealthcheck(InspectContainerResponse container) {
    HealthCheck check = container.getConfig() == null ? null : container.getConfig().getHealthcheck();
    if (check == null || check.getTest() == null || check.getTest().isEmpty()) {
      return false;
    }
    return !"NONE".equals(check.getTest().get(0));
  }

  @Override
  public void shutdown() throws ExecutorException {
    checkClosed();
    try {
      client.stopContainerCmd(containerName()).withTimeout(mapping.stopGraceSeconds()).exec();
    } catch (NotFoundException | NotModifiedException e) {
      // already gone or already stopped: nothing to do
    } catch (RuntimeException e) {
      throw new ExecutorException("stopping container failed: " + DockerErrors.message(e), e);
    }
  }

  @Override
  public void terminate() throws ExecutorException {
    checkClosed();
    try {
      client.killContainerCmd(containerName()).exec();
    } catch (NotFoundException | ConflictException e) {
      // gone, or not running any more
    } catch (RuntimeException e) {
      throw new ExecutorException("killing container failed: " + DockerErrors.message(e), e);
    }
  }

  @Override
  public void remove() throws ExecutorException {
    checkClosed();
    try {
      shutdown();
    } catch (ExecutorException e) {
      log.debug("shutdown before removal of {} failed: {}", containerName(), e.getMessage());
    }
    try {
      client.removeContainerCmd(containerName()).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already removed
    } catch (ConflictException e) {
      // removal already in progress
      log.debug("container {}: {}", containerName(), DockerErrors.message(e));
    } catch (RuntimeException e) {
      throw new ExecutorException("removing container failed: " + DockerErrors.message(e), e);
    }
    secretsAndConfigs.remove();
    // After the container, so the networks have no endpoint of ours left.
    mapping.networks().remove(client);
  }

  @Override
  public ContainerState inspect() throws ExecutorException {
    InspectContainerResponse container = inspectOrNull();
    if (container == null) {
      return ContainerState.ABSENT;
    }
    String status = container.getState().getStatus();
    if (status == null) {
      return ContainerState.UNKNOWN;
    }
    return switch (status) {
      case "created" -> ContainerState.CREATED;
      case "running", "paused", "restarting" -> ContainerState.RUNNING;
      case "exited", "dead", "removing" -> ContainerState.EXITED;
      default -> ContainerState.UNKNOWN;
    };
  }

  /** The container's ID, PID and exit code for the task's runtime status; empty if it has none. */
  public ContainerStatus containerStatus() throws ExecutorException {
    InspectContainerResponse container = inspectOrNull();
    if (container == null) {
      return ContainerStatus.getDefaultInstance();
    }
    Long pid = container.getState().getPidLong();
    Long exit = container.getState().getExitCodeLong();
    return ContainerStatus.newBuilder()
        .setContainerId(container.getId())
        .setPid(pid == null ? 0 : pid.intValue())
        .setExitCode(exit == null ? 0 : exit.intValue())
        .build();
  }

  /** Host-mode ports the engine actually bound (published port filled in when it was dynamic). */
  public PortStatus portStatus() throws ExecutorException {
    InspectContainerResponse container = inspectOrNull();
    PortStatus.Builder status = PortStatus.newBuilder();
    if (container == null || container.getNetworkSettings() == null
        || container.getNetworkSettings().getPorts() == null) {
      return status.build();
    }
    container.getNetworkSettings().getPorts().getBindings().forEach((exposed, bindings) -> {
      if (bindings == null) {
        return;
      }
      PortConfig.Protocol protocol = switch (exposed.getProtocol()) {
        case UDP -> PortConfig.Protocol.UDP;
        case SCTP -> PortConfig.Protocol.SCTP;
        default -> PortConfig.Protocol.TCP;
      };
      for (Ports.Binding b : bindings) {
        if (b.getHostPortSpec() == null || b.getHostPortSpec().isEmpty()) {
          continue;
        }
        int published = Integer.parseInt(b.getHostPortSpec());
        if (!mapping.ports().isHostMode(exposed.getPort(), protocol, published)) {
          continue;
        }
        PortConfig port = PortConfig.newBuilder()
            .setPublishMode(PortConfig.PublishMode.HOST)
            .setProtocol(protocol)
            .setTargetPort(exposed.getPort())
            .setPublishedPort(published)
            .build();
        // The engine lists a port once per host address family; report it once.
        if (!status.getPortsList().contains(port)) {
          status.addPorts(port);
        }
      }
    });
    return status.build();
  }

  @Override
  public void logs(LogOptions options, LogSink sink) throws ExecutorException, InterruptedException {
    checkClosed();
    InspectContainerResponse container = awaitStarted();
    if (Boolean.TRUE.equals(container.getConfig().getTty())) {
      throw new ExecutorException("logs not supported on services with TTY");
    }
    LogContainerCmd cmd = client.logContainerCmd(containerName())
        .withTimestamps(true)
        .withFollowStream(options.follow())
        .withStdOut(options.stdout())
        .withStdErr(options.stderr());
    if (options.tail() >= 0) {
      cmd.withTail((int) Math.min(options.tail(), Integer.MAX_VALUE));
    } else {
      cmd.withTailAll();
    }
    if (options.sinceMillis() > 0) {
      // The engine takes whole seconds; lines in the first second are filtered below.
      cmd.withSince((int) (options.sinceMillis() / 1000));
    }
    LogFrames frames = new LogFrames(options.sinceMillis(), sink);
    try {
      cmd.exec(frames).awaitCompletion();
    } catch (InterruptedException e) {
      frames.closeQuietly();
      throw e;
    } catch (RuntimeException e) {
      throw new ExecutorException("failed getting container logs: " + DockerErrors.message(e), e);
    }
    if (frames.failure != null) {
      throw new ExecutorException("failed getting container logs: " + frames.failure.getMessage(), frames.failure);
    }
  }

  /** Waits until the container has been started (logs of a created container would end at once). */
  private InspectContainerResponse awaitStarted() throws ExecutorException, InterruptedException {
    try (ContainerEvents.Watch events = this.events.watch(containerName())) {
      while (true) {
        InspectContainerResponse container = inspectOrNull();
        if (container == null) {
          throw new ExecutorException("container not ready for logs: container " + containerName() + " does not exist");
        }
        if (!"created".equals(container.getState().getStatus())) {
          return container;
        }
        events.next(POLL_INTERVAL);
        checkClosed();
      }
    }
  }

  /** Parses timestamped log frames ("<RFC3339Nano> <data>") and hands them to the sink. */
  private static final class LogFrames extends ResultCallback.Adapter<Frame> {
    private final long sinceMillis;
    private final LogSink sink;
    volatile Exception failure;

    LogFrames(long sinceMillis, LogSink sink) {
      this.sinceMillis = sinceMillis;
      this.sink = sink;
    }

    @Override
    public void onNext(Frame frame) {
      LogLine line;
      try {
        line = LogLine.parse(frame.getPayload());
      } catch (IllegalArgumentException e) {
        failure = e;
        closeQuietly();
        return;
      }
      if (line.timestampMillis() < sinceMillis) {
        return;
      }
      boolean stderr = frame.getStreamType() == StreamType.STDERR;
      if (!sink.accept(stderr, line.timestampMillis(), line.data())) {
        closeQuietly();
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (Exception e) {
        log.debug("closing log stream: {}", e.toString());
      }
    }
  }

  private InspectContainerResponse inspectOrNull() throws ExecutorException {
    try {
      return client.inspectContainerCmd(containerName()).exec();
    } catch (NotFoundException e) {
      return null;
    } catch (RuntimeException e) {
      throw new ExecutorException("inspecting container failed: " + DockerErrors.message(e), e);
    }
  }

  private interface Operation {
    Void run() throws ExecutorException, InterruptedException;
  }

  /** Runs a prepare/start step holding one of the executor's engine operation slots. */
  private void withOperationSlot(Operation op) throws ExecutorException {
    try {
      operations.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutorException("interrupted waiting for an engine operation slot", e);
    }
    try {
      op.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutorException("interrupted", e);
    } finally {
      operations.release();
    }
  }

  private void checkClosed() throws ExecutorException {
    if (closed.get()) {
      throw new ExecutorException("exec: controller closed");
    }
  }

  @Override
  public void close() {
    closed.set(true);
  }

}
