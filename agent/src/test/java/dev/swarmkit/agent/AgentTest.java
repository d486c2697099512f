package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.agent.testing.SimulatedExecutor.Behavior;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path stateDir;
  FakeDispatcher dispatcher;
  Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
  SimulatedExecutor executor = new SimulatedExecutor("worker-1",
      t -> behaviors.getOrDefault(t.getId(), Behavior.runForever()));
  List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void startDispatcher() throws Exception {
    dispatcher = new FakeDispatcher();
  }

  @AfterEach
  void stopAll() throws Exception {
    agents.forEach(Agent::stop);
    dispatcher.close();
  }

  Agent startAgent(String... managers) throws Exception {
    List<String> addrs = managers.length == 0 ? List.of(dispatcher.address()) : List.of(managers);
    Agent agent = new Agent(new AgentConfig(stateDir, () -> addrs, executor, ChannelFactory.plaintext(),
        GenericResources.parse("gpu=GPU-0,ssd=2"), Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(400), true));
    agents.add(agent);
    agent.start();
    assertThat(agent.awaitReady(WAIT)).isTrue();
    return agent;
  }

  static Task task(String id, TaskState desired) {
    return Task.newBuilder().setId(id).setNodeId("node-1").setServiceId("svc")
        .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox")))
        .setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(TaskState.ASSIGNED))
        .build();
  }

  void awaitReported(String taskId, TaskState state) {
    await().atMost(WAIT).until(() -> dispatcher.lastState(taskId) == state);
  }

  @Test
  void registersWithTheExecutorsDescriptionAndGenericResources() throws Exception {
    startAgent();

    assertThat(dispatcher.lastDescription.getHostname()).isEqualTo("worker-1");
    assertThat(dispatcher.lastDescription.getResources().getGenericList()).hasSize(2);
    await().atMost(WAIT).until(() -> dispatcher.heartbeats.get() >= 2);
    assertThat(executor.configuredNode()).hasValueSatisfying(n -> assertThat(n.getId()).isEqualTo("node-1"));
  }

  @Test
  void runsAnAssignedTaskToRunningReportingEachState() throws Exception {
    startAgent();

    dispatcher.assign(task("task-1", TaskState.RUNNING));

    awaitReported("task-1", TaskState.RUNNING);
    assertThat(executor.state("task-1")).contains(SimulatedExecutor.State.RUNNING);
    assertThat(dispatcher.reports("task-1")).extracting(TaskStatus::getState)
        .isSorted()
        .contains(TaskState.RUNNING)
        .doesNotHaveDuplicates();
    assertThat(dispatcher.reports("task-1").get(dispatcher.reports("task-1").size() - 1).getMessage())
        .isEqualTo("started");
  }

  @Test
  void assignedSecretsAndConfigsAreKeptInMemoryOnlyUntilTheDispatcherTakesThemAway() throws Exception {
    startAgent();
    String value = "value-never-on-disk-" + System.nanoTime();
    dev.swarmkit.api.Secret secret = dev.swarmkit.api.Secret.newBuilder().setId("sec1")
        .setSpec(dev.swarmkit.api.SecretSpec.newBuilder().setData(com.google.protobuf.ByteString.copyFromUtf8(value)))
        .build();
    dev.swarmkit.api.Config config = dev.swarmkit.api.Config.newBuilder().setId("cfg1").build();
    dispatcher.assignDependency(dev.swarmkit.api.Assignment.newBuilder().setSecret(secret).build(), false);
    dispatcher.assignDependency(dev.swarmkit.api.Assignment.newBuilder().setConfig(config).build(), false);
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(executor.secret("sec1")).contains(secret);
      assertThat(executor.config("cfg1")).contains(config);
    });
    try (var files = Files.walk(stateDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)).as("%s", f).doesNotContain(value);
      }
    }

    dispatcher.assignDependency(dev.swarmkit.api.Assignment.newBuilder()
        .setSecret(dev.swarmkit.api.Secret.newBuilder().setId("sec1")).build(), true);
    await().atMost(WAIT).until(() -> executor.secret("sec1").isEmpty());
    assertThat(executor.config("cfg1")).isPresent();
  }

  @Test
  void aTaskThatExitsCompletesOrFailsWithItsExitCode() throws Exception {
    behaviors.put("ok", Behavior.exitAfter(Duration.ofMillis(50), 0));
    behaviors.put("bad", Behavior.exitAfter(Duration.ofMillis(50), 3));
    startAgent();

    dispatcher.assign(task("ok", TaskState.RUNNING));
    dispatcher.assign(task("bad", TaskState.RUNNING));

    awaitReported("ok", TaskState.COMPLETE);
    awaitReported("bad", TaskState.FAILED);
    TaskStatus failed = dispatcher.reports("bad").get(dispatcher.reports("bad").size() - 1);
    assertThat(failed.getErr()).isEqualTo("task: non-zero exit (3)");
    assertThat(failed.getContainer().getExitCode()).isEqualTo(3);
  }

  @Test
  void aTaskThatCannotBePreparedIsRejected() throws Exception {
    behaviors.put("task-1", Behavior.rejectOnPrepare("No such image: nope"));
    startAgent();

    dispatcher.assign(task("task-1", TaskState.RUNNING));

    awaitReported("task-1", TaskState.REJECTED);
    assertThat(dispatcher.reports("task-1").get(dispatcher.reports("task-1").size() - 1).getErr())
        .isEqualTo("No such image: nope");
  }

  @Test
  void desiredShutdownStopsARunningTask() throws Exception {
    startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);

    dispatcher.assign(task("task-1", TaskState.SHUTDOWN));

    awaitReported("task-1", TaskState.SHUTDOWN);
    assertThat(executor.state("task-1")).contains(SimulatedExecutor.State.EXITED);
  }

  @Test
  void removingTheAssignmentRemovesTheContainerAndTheRecord() throws Exception {
    startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);

    dispatcher.unassign("task-1");

    await().atMost(WAIT).until(() -> executor.state("task-1").isEmpty());
    assertThat(TaskDatabase.read(stateDir)).doesNotContainKey("task-1");
  }

  @Test
  void aRestartedAgentReadoptsItsTasksWithoutStartingThemAgain() throws Exception {
    Agent first = startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    dispatcher.assign(task("task-2", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);
    awaitReported("task-2", TaskState.RUNNING);
    assertThat(TaskDatabase.read(stateDir)).containsKey("task-1");

    first.stop();
    dispatcher.dropSessions();
    dispatcher.clearReports();
    Agent second = startAgent();

    awaitReported("task-1", TaskState.RUNNING);
    awaitReported("task-2", TaskState.RUNNING);
    assertThat(second.tasks()).extracting(Task::getId).containsExactlyInAnyOrder("task-1", "task-2");
    assertThat(executor.startCount("task-1")).isEqualTo(1);
    assertThat(executor.startCount("task-2")).isEqualTo(1);
    assertThat(executor.running()).containsExactly("task-1", "task-2");
  }

  @Test
  void aTaskWhoseContainerVanishedWhileTheAgentWasDownIsReportedFailed() throws Exception {
    Agent first = startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);
    first.stop();
    executor.destroy("task-1");

    startAgent();

    awaitReported("task-1", TaskState.FAILED);
    assertThat(executor.startCount("task-1")).isEqualTo(1);
  }

  @Test
  void reconnectsWithANewSessionWhenTheManagerDropsIt() throws Exception {
    startAgent();
    int before = dispatcher.sessions.get();

    dispatcher.dropSessions();

    await().atMost(WAIT).until(() -> dispatcher.sessions.get() > before && !dispatcher.currentSession.isEmpty());
    int beats = dispatcher.heartbeats.get();
    await().atMost(WAIT).until(() -> dispatcher.heartbeats.get() > beats);
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);
  }

  @Test
  void failsOverToAnotherManagerWhenOneIsUnreachable() throws Exception {
    FakeDispatcher dead = new FakeDispatcher();
    String deadAddress = dead.address();
    dead.close();

    Agent agent = startAgent(deadAddress, dispatcher.address());

    assertThat(agent.currentManager()).contains(dispatcher.address());
    assertThat(dispatcher.sessions.get()).isEqualTo(1);
  }

  @Test
  void taskDatabaseIsWrittenUnderTheStateDirectory() throws Exception {
    startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);

    Task stored = TaskDatabase.read(stateDir).get("task-1");
    assertThat(stored.getStatus().getState()).isEqualTo(TaskState.RUNNING);
    assertThat(stored.getDesiredState()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void leavingRemovesAllTasksAndRefusesNewOnes() throws Exception {
    Agent agent = startAgent();
    dispatcher.assign(task("task-1", TaskState.RUNNING));
    awaitReported("task-1", TaskState.RUNNING);

    assertThat(agent.leave(WAIT)).isTrue();
    dispatcher.assign(task("task-2", TaskState.RUNNING));

    assertThat(executor.state("task-1")).isEmpty();
    assertThat(TaskDatabase.read(stateDir)).doesNotContainKey("task-1");
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> executor.state("task-2").isEmpty());
  }

  @Test
  void nodeChangesFromTheManagerReachTheListener() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Agent agent = new Agent(new AgentConfig(stateDir, () -> List.of(dispatcher.address()), executor,
        ChannelFactory.plaintext(), List.of(), Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(400), true));
    agents.add(agent);
    agent.onNodeChange((node, rootCa) -> seen.add(node.getId()));

    agent.start();

    assertThat(agent.awaitReady(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> seen.contains("node-1"));
    assertThat(agent.node()).hasValueSatisfying(n -> assertThat(n.getId()).isEqualTo("node-1"));
  }
}
