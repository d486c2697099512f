package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.agent.TaskStateMachine.Outcome;
import dev.swarmkit.agent.TaskStateMachine.Step;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.agent.testing.SimulatedExecutor.Behavior;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskStateMachineTest {

  static Task task(TaskState observed, TaskState desired) {
    return Task.newBuilder().setId("t1").setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(observed)).build();
  }

  /** Steps until nothing more happens, returning every state passed through. */
  static List<TaskState> drive(Task task, Controller ctlr) {
    List<TaskState> states = new ArrayList<>();
    Task current = task;
    for (int i = 0; i < 20; i++) {
      Step step = TaskStateMachine.step(current, ctlr, () -> false);
      if (step.outcome() != Outcome.PROGRESS) {
        break;
      }
      states.add(step.status().getState());
      current = current.toBuilder().setStatus(step.status()).build();
    }
    return states;
  }

  @Test
  void resolveAcceptsAnAssignedTask() {
    var resolved = TaskStateMachine.resolve(task(TaskState.ASSIGNED, TaskState.RUNNING), new SimulatedExecutor("h"));

    assertThat(resolved.controller()).isNotNull();
    assertThat(resolved.status().getState()).isEqualTo(TaskState.ACCEPTED);
    assertThat(resolved.status().getMessage()).isEqualTo("accepted");
    assertThat(resolved.status().hasTimestamp()).isTrue();
  }

  @Test
  void resolveRejectsWhenTheExecutorRefusesBeforeStartingAndFailsAfter() {
    Executor refusing = new Executor() {
      @Override
      public NodeDescription describe() {
        return NodeDescription.getDefaultInstance();
      }

      @Override
      public void configure(Node node) {}

      @Override
      public Controller controller(Task task) throws ExecutorException {
        throw new ExecutorException("bad spec");
      }
    };

    var early = TaskStateMachine.resolve(task(TaskState.ASSIGNED, TaskState.RUNNING), refusing);
    var late = TaskStateMachine.resolve(task(TaskState.RUNNING, TaskState.RUNNING), refusing);

    assertThat(early.status().getState()).isEqualTo(TaskState.REJECTED);
    assertThat(early.status().getErr()).isEqualTo("bad spec");
    assertThat(early.status().getMessage()).isEqualTo("resolving controller failed");
    assertThat(late.status().getState()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void walksForwardToCompleteWhenTheProcessExitsCleanly() {
    SimulatedExecutor exec = new SimulatedExecutor("h", t -> Behavior.exitAfter(Duration.ofMillis(10), 0));
    Task t = task(TaskState.ASSIGNED, TaskState.RUNNING);

    assertThat(drive(t, exec.controller(t))).containsExactly(TaskState.ACCEPTED, TaskState.PREPARING,
        TaskState.READY, TaskState.STARTING, TaskState.RUNNING, TaskState.COMPLETE);
  }

  @Test
  void stopsAtTheDesiredState() {
    SimulatedExecutor exec = new SimulatedExecutor("h", t -> Behavior.runForever());
    Task t = task(TaskState.ASSIGNED, TaskState.READY);

    assertThat(drive(t, exec.controller(t)))
        .containsExactly(TaskState.ACCEPTED, TaskState.PREPARING, TaskState.READY);
  }

  @Test
  void aPrepareFailureRejectsAndAStartFailureFails() {
    SimulatedExecutor rejecting = new SimulatedExecutor("h", t -> Behavior.rejectOnPrepare("no image"));
    SimulatedExecutor failing = new SimulatedExecutor("h", t -> Behavior.failOnStart("port in use"));
    Task t = task(TaskState.ASSIGNED, TaskState.RUNNING);

    assertThat(drive(t, rejecting.controller(t))).endsWith(TaskState.REJECTED);
    assertThat(drive(t, failing.controller(t))).endsWith(TaskState.STARTING, TaskState.FAILED);
  }

  @Test
  void desiredShutdownShutsDownUnlessAlreadyFinished() {
    SimulatedExecutor exec = new SimulatedExecutor("h", t -> Behavior.runForever());
    Task running = task(TaskState.RUNNING, TaskState.SHUTDOWN);
    Task done = task(TaskState.COMPLETE, TaskState.SHUTDOWN);

    Step stop = TaskStateMachine.step(running, exec.controller(running), () -> false);
    Step none = TaskStateMachine.step(done, exec.controller(done), () -> false);

    assertThat(stop.status().getState()).isEqualTo(TaskState.SHUTDOWN);
    assertThat(stop.status().getMessage()).isEqualTo("shutdown");
    assertThat(none.outcome()).isEqualTo(Outcome.NOOP);
  }

  @Test
  void anOperationCancelledByTheAgentIsRetriedNotFailed() {
    Controller broken = new Controller() {
      @Override public void update(Task task) {}
      @Override public void prepare() throws ExecutorException {
        throw new ExecutorException("interrupted while pulling");
      }
      @Override public void start() {}
      @Override public void waitExit() {}
      @Override public void shutdown() {}
      @Override public void terminate() {}
      @Override public void remove() {}
    };

    Step step = TaskStateMachine.step(task(TaskState.PREPARING, TaskState.RUNNING), broken, () -> true);

    assertThat(step.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(step.status().getState()).isEqualTo(TaskState.PREPARING);
  }
}
