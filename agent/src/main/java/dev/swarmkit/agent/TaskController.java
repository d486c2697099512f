package dev.swarmkit.agent;

import dev.swarmkit.agent.TaskStateMachine.Outcome;
import dev.swarmkit.agent.TaskStateMachine.Step;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskStatus;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one task (upstream's taskManager) as a state machine stepped on a shared {@link
 * TaskRunner}: each step runs {@link TaskStateMachine#step} on the bounded operations pool and
 * reports every status change; steps of one task never overlap. A running task holds no thread: it
 * waits on {@link Controller#exitFuture()}. A newer copy of the task (for example desired state
 * SHUTDOWN) cancels that wait, or interrupts a blocking operation in progress, so the change is
 * acted on at once; the controller should treat that interrupt as cancellation.
 */
final class TaskController {

  private static final Logger log = LoggerFactory.getLogger(TaskController.class);
  static final Duration RETRY_DELAY = Duration.ofSeconds(1);

  private final Controller controller;
  private final BiConsumer<String, TaskStatus> statusSink;
  private final TaskRunner runner;
  private final Object lock = new Object();

  private Task task; // the latest assigned task, carrying our observed status
  private boolean updated; // a newer task arrived since the last step
  private boolean stepping; // a step is queued or running
  private boolean again; // step once more after the current one
  private Thread operationThread; // the pool thread running this task's executor call, if any
  private boolean cancelled;
  private boolean closing;
  private CompletableFuture<Void> exitWait;
  private Step exitStep; // what the finished exit wait observed, applied by the next step
  private boolean retryScheduled;

  TaskController(Task task, Controller controller, BiConsumer<String, TaskStatus> statusSink) {
    this(task, controller, statusSink, TaskRunner.shared());
  }

  TaskController(Task task, Controller controller, BiConsumer<String, TaskStatus> statusSink, TaskRunner runner) {
    this.task = task;
    this.controller = controller;
    this.statusSink = statusSink;
    this.runner = runner;
  }

  void start() {
    requestStep();
  }

  String taskId() {
    return task().getId();
  }

  Task task() {
    synchronized (lock) {
      return task;
    }
  }

  Controller controller() {
    return controller;
  }

  /** Applies a newer copy of the task; our observed status stays canonical. */
  void update(Task newer) {
    synchronized (lock) {
      if (!newer.getId().equals(task.getId())) {
        log.error("received update for incorrect task {}", newer.getId());
        return;
      }
      if (newer.getDesiredState().getNumber() < task.getDesiredState().getNumber()) {
        log.error("ignoring task update with invalid desired state {}", newer.getDesiredState());
        return;
      }
      Task merged = newer.toBuilder().setStatus(task.getStatus()).build();
      if (stableEqual(merged, task)) {
        return;
      }
      task = merged;
      updated = true;
      interruptOperation();
    }
    requestStep();
  }

  /** Stops driving the task (the runtime object is left as it is) and waits for a step in progress. */
  void close() {
    synchronized (lock) {
      closing = true;
      interruptOperation();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (stepping && operationThread != Thread.currentThread()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Must hold the lock. */
  private void interruptOperation() {
    if (exitWait != null) {
      CompletableFuture<Void> w = exitWait;
      exitWait = null;
      w.cancel(false);
    }
    if (operationThread != null) {
      cancelled = true;
      operationThread.interrupt();
    }
  }

  private void requestStep() {
    synchronized (lock) {
      if (closing) {
        return;
      }
      if (stepping) {
        again = true;
        return;
      }
      stepping = true;
      again = false;
    }
    runner.operations.execute(this::stepOnce);
  }

  private void stepOnce() {
    Task running;
    boolean wasUpdated;
    Step observedExit;
    synchronized (lock) {
      if (closing) {
        finishStepping();
        return;
      }
      running = task;
      wasUpdated = updated;
      updated = false;
      observedExit = exitStep;
      exitStep = null;
      cancelled = false;
      operationThread = Thread.currentThread();
    }
    Step step;
    try {
      if (wasUpdated) {
        controller.update(running);
      }
      if (observedExit != null && TaskStateMachine.waitsForExit(running)) {
        step = observedExit;
      } else if (TaskStateMachine.waitsForExit(running)) {
        step = null;
      } else {
        step = TaskStateMachine.step(running, controller, this::wasCancelled);
      }
    } catch (Exception e) {
      log.error("updating task controller failed for {}", running.getId(), e);
      step = new Step(running.getStatus(), wasCancelled() ? Outcome.RETRY : Outcome.NOOP);
    } finally {
      synchronized (lock) {
        operationThread = null;
        Thread.interrupted(); // clear an interrupt that raced with the end of the operation
      }
    }
    if (step == null) {
      awaitExit(running);
      return;
    }
    boolean changed = !step.status().equals(running.getStatus());
    boolean next;
    synchronized (lock) {
      if (changed) {
        task = task.toBuilder().setStatus(step.status()).build();
      }
      boolean wasCancelled = cancelled;
      cancelled = false;
      next = switch (step.outcome()) {
        case PROGRESS -> true;
        case NOOP -> again;
        case RETRY -> {
          if (wasCancelled || again || closing) {
            yield true;
          }
          scheduleRetry();
          yield false;
        }
      };
    }
    if (changed) {
      statusSink.accept(running.getId(), step.status());
    }
    continueOrStop(next);
  }

  /** Waits for the runtime object to exit without holding a thread; the exit triggers the next step. */
  private void awaitExit(Task running) {
    CompletableFuture<Void> wait;
    try {
      wait = controller.exitFuture();
    } catch (RuntimeException e) {
      wait = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> w = wait;
    synchronized (lock) {
      if (closing || again) {
        w.cancel(false);
      } else {
        exitWait = w;
      }
    }
    w.whenComplete((v, error) -> {
      Throwable cause = error instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : error;
      if (cause instanceof CancellationException) {
        return; // an update or close stopped the wait; it requested its own step
      }
      synchronized (lock) {
        if (exitWait != w) {
          return;
        }
        exitWait = null;
        exitStep = TaskStateMachine.exited(task.getStatus(), cause);
      }
      requestStep();
    });
    continueOrStop(false);
  }

  private void continueOrStop(boolean next) {
    synchronized (lock) {
      if (!next && !again) {
        finishStepping();
        return;
      }
      if (closing) {
        finishStepping();
        return;
      }
      again = false;
    }
    runner.operations.execute(this::stepOnce);
  }

  /** Must hold the lock. */
  private void finishStepping() {
    stepping = false;
    lock.notifyAll();
  }

  /** Must hold the lock. */
  private void scheduleRetry() {
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    runner.timer.schedule(() -> {
      synchronized (lock) {
        retryScheduled = false;
      }
      requestStep();
    }, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private boolean wasCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  private static boolean stableEqual(Task a, Task b) {
    return a.toBuilder().clearMeta().build().equals(b.toBuilder().clearMeta().build());
  }
}
