package dev.swarmkit.agent;

import com.google.protobuf.util.Timestamps;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.ContainerStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's exec.Resolve and exec.Do: given a task (desired state plus the status observed so far)
 * and its controller, performs at most one step toward the desired state and returns the new status.
 *
 * <p>Forward path: ASSIGNED → ACCEPTED → PREPARING → (prepare) READY → STARTING → (start) RUNNING →
 * (wait) COMPLETE. A failure before STARTING rejects the task, later ones fail it. A desired state of
 * SHUTDOWN or beyond stops the task unless it already finished.
 */
final class TaskStateMachine {

  private static final Logger log = LoggerFactory.getLogger(TaskStateMachine.class);

  private TaskStateMachine() {}

  /** What the caller should do next. */
  enum Outcome {
    /** The status moved; call {@link #step} again. */
    PROGRESS,
    /** Nothing to do until the task changes. */
    NOOP,
    /** A temporary problem or a cancelled operation; try again later. */
    RETRY
  }

  record Step(TaskStatus status, Outcome outcome) {}

  /** A controller for the task (null if the executor refused) and the task's resulting status. */
  record Resolved(Controller controller, TaskStatus status, ExecutorException error) {}

  /** Upstream's Resolve: obtains the controller and accepts the task, or rejects/fails it. */
  static Resolved resolve(Task task, Executor executor) {
    TaskStatus.Builder status = task.getStatus().toBuilder();
    int state = task.getStatus().getState().getNumber();
    try {
      Controller controller = executor.controller(task);
      if (state < TaskState.ACCEPTED_VALUE) {
        status.setState(TaskState.ACCEPTED).setMessage("accepted").setErr("");
      }
      return new Resolved(controller, stamp(task.getStatus(), status.build()), null);
    } catch (ExecutorException e) {
      status.setMessage("resolving controller failed").setErr(e.getMessage());
      if (state < TaskState.STARTING_VALUE) {
        status.setState(TaskState.REJECTED);
      } else if (state <= TaskState.RUNNING_VALUE) {
        status.setState(TaskState.FAILED);
      }
      return new Resolved(null, stamp(task.getStatus(), status.build()), e);
    }
  }

  /**
   * Upstream's Do. {@code cancelled} tells whether the caller interrupted the operation because the
   * task changed; an error seen then is a cancellation, not a task failure.
   */
  static Step step(Task task, Controller controller, BooleanSupplier cancelled) {
    TaskStatus current = task.getStatus();
    int state = current.getState().getNumber();
    int desired = task.getDesiredState().getNumber();
    try {
      if (desired >= TaskState.SHUTDOWN_VALUE) {
        if (state >= TaskState.COMPLETE_VALUE) {
          return noop(current);
        }
        controller.shutdown();
        return transition(current, TaskState.SHUTDOWN, "shutdown");
      }
      if (state > desired) {
        return noop(current); // beyond the desired state: pause
      }
      switch (current.getState()) {
        case PREPARING -> {
          try {
            controller.prepare();
          } catch (ExecutorException.AlreadyDone done) {
            // prepared before a restart
          }
          return transition(current, TaskState.READY, "prepared");
        }
        case STARTING -> {
          try {
            controller.start();
          } catch (ExecutorException.AlreadyDone done) {
            // started before a restart
          }
          controller.waitReady(Controller.DEFAULT_READY_TIMEOUT);
          return transition(current, TaskState.RUNNING, "started");
        }
        case RUNNING -> {
          controller.waitExit();
          return transition(current, TaskState.COMPLETE, "finished");
        }
        default -> {}
      }
      if (state >= desired) {
        return noop(current);
      }
      return switch (current.getState()) {
        case NEW, PENDING, ASSIGNED -> transition(current, TaskState.ACCEPTED, "accepted");
        case ACCEPTED -> transition(current, TaskState.PREPARING, "preparing");
        case READY -> transition(current, TaskState.STARTING, "starting");
        default -> noop(current); // terminal
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Step(current, Outcome.RETRY);
    } catch (ExecutorException e) {
      if (cancelled.getAsBoolean()) {
        return new Step(current, Outcome.RETRY);
      }
      return fatal(current, e);
    } catch (RuntimeException e) {
      if (cancelled.getAsBoolean()) {
        return new Step(current, Outcome.RETRY);
      }
      return fatal(current, new ExecutorException(String.valueOf(e.getMessage()), e));
    }
  }

  /**
   * Whether the next step is waiting for the runtime object to exit (RUNNING, desired RUNNING): the
   * caller then waits on {@link Controller#exitFuture()} and reports with {@link #exited}.
   */
  static boolean waitsForExit(Task task) {
    int desired = task.getDesiredState().getNumber();
    return desired < TaskState.SHUTDOWN_VALUE && task.getStatus().getState() == TaskState.RUNNING
        && TaskState.RUNNING_VALUE <= desired;
  }

  /** The step after the runtime object exited: COMPLETE on success, else FAILED with the error. */
  static Step exited(TaskStatus current, Throwable error) {
    if (error == null) {
      return transition(current, TaskState.COMPLETE, "finished");
    }
    if (error instanceof ExecutorException e) {
      return fatal(current, e);
    }
    return fatal(current, new ExecutorException(String.valueOf(error.getMessage()), error));
  }

  private static Step fatal(TaskStatus current, ExecutorException e) {
    log.error("fatal task error: {}", e.getMessage());
    TaskStatus.Builder status = current.toBuilder().setErr(String.valueOf(e.getMessage()));
    if (current.getState().getNumber() < TaskState.STARTING_VALUE) {
      status.setState(TaskState.REJECTED);
    } else {
      status.setState(TaskState.FAILED);
      ContainerStatus.Builder container = current.getContainer().toBuilder();
      if (e instanceof ExecutorException.ExitError exit) {
        container.setExitCode(exit.exitCode());
      }
      status.setContainer(container);
    }
    return new Step(stamp(current, status.build()), Outcome.PROGRESS);
  }

  private static Step transition(TaskStatus current, TaskState state, String message) {
    if (current.getState().getNumber() > state.getNumber()) {
      throw new IllegalStateException("invalid state transition " + current.getState() + "->" + state);
    }
    TaskStatus.Builder next = current.toBuilder().setState(state).setMessage(message).setErr("");
    if (state.getNumber() >= TaskState.STARTING_VALUE && !next.hasContainer()) {
      next.setContainer(ContainerStatus.getDefaultInstance());
    }
    return new Step(stamp(current, next.build()), Outcome.PROGRESS);
  }

  private static Step noop(TaskStatus current) {
    return new Step(current, Outcome.NOOP);
  }

  /** A new timestamp when the status changed apart from its timestamp, as upstream. */
  private static TaskStatus stamp(TaskStatus before, TaskStatus after) {
    if (before.toBuilder().clearTimestamp().build().equals(after.toBuilder().clearTimestamp().build())) {
      return after;
    }
    return after.toBuilder().setTimestamp(Timestamps.fromMillis(System.currentTimeMillis())).build();
  }
}
