package dev.swarmkit.agent.exec;

import dev.swarmkit.api.Task;
import java.time.Duration;

/**
 * Controls one task's runtime object (a container). The agent drives it forward through {@code
 * prepare → start → waitExit} and stops it with {@code shutdown}, {@code terminate}, {@code remove}.
 * Methods block; the agent calls them from a bounded pool shared by all tasks. All are idempotent: calling
 * prepare on a prepared task, or start on a started one, fails with {@link
 * ExecutorException.AlreadyDone} rather than doing the work twice.
 */
public interface Controller extends AutoCloseable {

  /** Replaces the task this controller holds with a newer copy (same ID). */
  void update(Task task) throws ExecutorException;

  /** Prepares the runtime object: fetch image, create container. */
  void prepare() throws ExecutorException;

  /** Starts it. */
  void start() throws ExecutorException;

  /**
   * Waits until the runtime object stops (or, with a healthcheck, until it fails its checks).
   * Returns normally on exit code 0; throws {@link ExecutorException.ExitError} otherwise.
   */
  void waitExit() throws ExecutorException, InterruptedException;

  /**
   * Completes when the runtime object stops: normally on exit code 0, exceptionally with {@link
   * ExecutorException.ExitError} (or another error) otherwise. Cancelling it only stops waiting.
   * The agent uses this instead of {@link #waitExit()} so a running task holds no thread; the
   * default waits on a thread of its own, so executors that can learn exits from events should
   * override it.
   */
  default java.util.concurrent.CompletableFuture<Void> exitFuture() {
    return ExitWaiters.onThread(this);
  }

  /** Waits until the task is ready to be reported RUNNING (for example healthy). */
  default void waitReady(Duration timeout) throws ExecutorException, InterruptedException {}

  /** Stops it gracefully: stop signal, then kill after the spec's grace period. */
  void shutdown() throws ExecutorException;

  /** Kills it now. */
  void terminate() throws ExecutorException;

  /** Removes every runtime resource of the task. */
  void remove() throws ExecutorException;

  /** What the runtime knows of the task right now, for adopting it after an agent restart. */
  default ContainerState inspect() throws ExecutorException {
    return ContainerState.UNKNOWN;
  }

  /** Streams the task's logs to {@code sink} until it returns false or the task is gone. */
  default void logs(LogOptions options, LogSink sink) throws ExecutorException, InterruptedException {
    throw new ExecutorException("logs are not supported by this executor");
  }

  @Override
  default void close() {}

  /** Runtime state seen on inspect. */
  enum ContainerState {
    UNKNOWN,
    ABSENT,
    CREATED,
    RUNNING,
    EXITED
  }

  /** Log selection: follow, tail lines (-1: all), since (epoch millis, 0: all), streams. */
  record LogOptions(boolean follow, long tail, long sinceMillis, boolean stdout, boolean stderr) {}

  /** Receives log lines; returns false to stop streaming. */
  interface LogSink {
    boolean accept(boolean stderr, long timestampMillis, byte[] data);
  }

  /** How long the agent waits for a task to become ready when a healthcheck is configured. */
  Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);
}
