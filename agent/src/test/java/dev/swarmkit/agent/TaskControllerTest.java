package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.agent.testing.SimulatedExecutor.Behavior;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class TaskControllerTest {

  private final Map<String, TaskState> reported = new ConcurrentHashMap<>();

  private TaskController controller(SimulatedExecutor executor, String id) throws Exception {
    Task task = Task.newBuilder().setId(id).setDesiredState(TaskState.RUNNING)
        .setStatus(TaskStatus.newBuilder().setState(TaskState.ACCEPTED)).build();
    return new TaskController(task, executor.controller(task), (taskId, s) -> reported.put(taskId, s.getState()));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private long count(TaskState state) {
    return reported.values().stream().filter(s -> s == state).count();
  }

  @Test
  void runningTasksHoldNoThreadAndStopWhenDesiredShutdown() throws Exception {
    SimulatedExecutor executor = new SimulatedExecutor("h", t -> Behavior.runForever());
    int before = ManagementFactory.getThreadMXBean().getThreadCount();
    List<TaskController> controllers = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      TaskController tc = controller(executor, "t" + i);
      controllers.add(tc);
      tc.start();
    }

    await(() -> count(TaskState.RUNNING) == 2000, "all tasks RUNNING");
    int threads = ManagementFactory.getThreadMXBean().getThreadCount() - before;
    assertThat(threads).as("threads added for 2000 running tasks").isLessThanOrEqualTo(TaskRunner.OPERATION_THREADS + 2);

    for (TaskController tc : controllers) {
      tc.update(tc.task().toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
    }
    await(() -> count(TaskState.SHUTDOWN) == 2000, "all tasks SHUTDOWN");
    assertThat(controllers).allSatisfy(tc -> assertThat(tc.task().getStatus().getState()).isEqualTo(TaskState.SHUTDOWN));
  }

  @Test
  void anExitWithoutAThreadWaitingIsReportedCompleteOrFailed() throws Exception {
    SimulatedExecutor executor = new SimulatedExecutor("h", t -> t.getId().equals("ok")
        ? Behavior.exitAfter(Duration.ofMillis(200), 0) : Behavior.exitAfter(Duration.ofMillis(200), 3));
    TaskController ok = controller(executor, "ok");
    TaskController failing = controller(executor, "failing");
    ok.start();
    failing.start();

    await(() -> reported.get("ok") == TaskState.COMPLETE, "ok COMPLETE");
    await(() -> reported.get("failing") == TaskState.FAILED, "failing FAILED");
    assertThat(failing.task().getStatus().getContainer().getExitCode()).isEqualTo(3);
  }

  @Test
  void closeStopsDrivingTheTaskAndLeavesItRunning() throws Exception {
    SimulatedExecutor executor = new SimulatedExecutor("h", t -> Behavior.runForever());
    TaskController tc = controller(executor, "t");
    tc.start();
    await(() -> reported.get("t") == TaskState.RUNNING, "RUNNING");

    tc.close();
    tc.update(tc.task().toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
    Thread.sleep(300);

    assertThat(reported.get("t")).isEqualTo(TaskState.RUNNING);
    assertThat(tc.controller().inspect()).isEqualTo(dev.swarmkit.agent.exec.Controller.ContainerState.RUNNING);
  }
}
