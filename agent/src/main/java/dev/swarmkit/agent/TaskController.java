package dev.swarmkit.agent;

import dev.swarmkit.agent.TaskStateMachine.Outcome;
import dev.swarmkit.agent.TaskStateMachine.Step;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskStatus;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one task with its own thread (upstream's taskManager): repeatedly runs {@link
 * TaskStateMachine#step} and reports every status change. A newer copy of the task (for example
 * desired state SHUTDOWN) interrupts a blocking operation such as waiting for exit, so the change is
 * acted on at once; the controller should treat that interrupt as cancellation.
 */
final class TaskController {

  private static final Logger log = LoggerFactory.getLogger(TaskController.class);
  static final Duration RETRY_DELAY = Duration.ofSeconds(1);

  private final Controller controller;
  private final BiConsumer<String, TaskStatus> statusSink;
  private final Thread thread;
  private final Object lock = new Object();

  private Task task; // the latest assigned task, carrying our observed status
  private boolean updated; // a newer task arrived since the last step
  private boolean runRequested = true;
  private boolean inOperation;
  private boolean cancelled;
  private boolean closing;

  TaskController(Task task, Controller controller, BiConsumer<String, TaskStatus> statusSink) {
    this.task = task;
    this.controller = controller;
    this.statusSink = statusSink;
    this.thread = new Thread(this::run, "task-" + task.getId());
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
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
      runRequested = true;
      interruptOperation();
      lock.notifyAll();
    }
  }

  /** Stops driving the task (the runtime object is left as it is) and waits for the thread. */
  void close() {
    synchronized (lock) {
      closing = true;
      interruptOperation();
      lock.notifyAll();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void interruptOperation() {
    if (inOperation) {
      cancelled = true;
      thread.interrupt();
    }
  }

  private void run() {
    while (true) {
      Task running;
      boolean wasUpdated;
      synchronized (lock) {
        while (!closing && !runRequested) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            // only close() interrupts while idle
          }
        }
        if (closing) {
          return;
        }
        running = task;
        wasUpdated = updated;
        updated = false;
        runRequested = false;
        inOperation = true;
        cancelled = false;
      }
      Step step;
      try {
        if (wasUpdated) {
          controller.update(running);
        }
        step = TaskStateMachine.step(running, controller, this::wasCancelled);
      } catch (Exception e) {
        log.error("updating task controller failed for {}", running.getId(), e);
        step = new Step(running.getStatus(), wasCancelled() ? Outcome.RETRY : Outcome.NOOP);
      } finally {
        synchronized (lock) {
          inOperation = false;
          Thread.interrupted(); // clear an interrupt that raced with the end of the operation
        }
      }
      boolean changed = !step.status().equals(running.getStatus());
      synchronized (lock) {
        if (changed) {
          task = task.toBuilder().setStatus(step.status()).build();
        }
        boolean wasCancelled = cancelled;
        cancelled = false;
        switch (step.outcome()) {
          case PROGRESS -> runRequested = true;
          case NOOP -> { } // wait for an update
          case RETRY -> {
            if (!wasCancelled && !runRequested && !closing) {
              waitQuietly(RETRY_DELAY);
            }
            runRequested = true;
          }
        }
      }
      if (changed) {
        statusSink.accept(running.getId(), step.status());
      }
    }
  }

  private boolean wasCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  private void waitQuietly(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    while (!closing && !runRequested) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        lock.wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static boolean stableEqual(Task a, Task b) {
    return a.toBuilder().clearMeta().build().equals(b.toBuilder().clearMeta().build());
  }
}
