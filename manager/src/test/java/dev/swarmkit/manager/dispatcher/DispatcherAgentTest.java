package dev.swarmkit.manager.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.agent.Agent;
import dev.swarmkit.agent.AgentConfig;
import dev.swarmkit.agent.ChannelFactory;
import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.agent.testing.SimulatedExecutor.Behavior;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real dispatcher and a real agent running simulated containers, over Netty on 127.0.0.1. */
class DispatcherAgentTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path stateDir;
  MemoryStore store = new MemoryStore();
  Dispatcher dispatcher;
  Server server;
  SimulatedExecutor executor = new SimulatedExecutor("worker-1");
  List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    DispatcherOptions options = DispatcherOptions.defaults()
        .withHeartbeatPeriod(Duration.ofMillis(200)).withHeartbeatEpsilon(Duration.ZERO);
    dispatcher = new Dispatcher(store, options,
        NodeIdentityResolver.fromContextKey(DispatcherTest.NODE_KEY), List::of);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(dispatcher.service(), new DispatcherTest.HeaderIdentity()))
        .build().start();
    dispatcher.start();
  }

  @AfterEach
  void stop() throws Exception {
    agents.forEach(Agent::stop);
    dispatcher.stop();
    server.shutdownNow().awaitTermination();
  }

  Agent startAgent(String nodeId) throws Exception {
    return startAgent(nodeId, true);
  }

  Agent startAgent(String nodeId, boolean syncWrites) throws Exception {
    Metadata md = new Metadata();
    md.put(DispatcherTest.NODE_HEADER, nodeId);
    ChannelFactory channels = address -> NettyChannelBuilder.forTarget(address).usePlaintext()
        .intercept(MetadataUtils.newAttachHeadersInterceptor(md)).build();
    Agent agent = new Agent(new AgentConfig(stateDir, () -> List.of("127.0.0.1:" + server.getPort()),
        executor, channels, List.of(), Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(400), syncWrites));
    agents.add(agent);
    agent.start();
    assertThat(agent.awaitReady(WAIT)).isTrue();
    return agent;
  }

  void createTask(String id, String runTime) {
    ContainerSpec.Builder container = ContainerSpec.newBuilder().setImage("busybox");
    if (runTime != null) {
      container.putLabels("swarmkit.sim.run-time", runTime);
    }
    store.update(tx -> tx.create(Table.TASKS, Task.newBuilder().setId(id).setNodeId("node-1")
        .setServiceId("svc").setSpec(TaskSpec.newBuilder().setContainer(container))
        .setDesiredState(TaskState.RUNNING).setStatus(TaskStatus.newBuilder().setState(TaskState.ASSIGNED))
        .build()));
  }

  TaskState state(String taskId) {
    return store.view(tx -> tx.get(Table.TASKS, taskId)).orElseThrow().getStatus().getState();
  }

  Node node(String id) {
    return store.view(tx -> tx.get(Table.NODES, id)).orElseThrow();
  }

  @Test
  void anAgentRegistersAndRunsItsAssignedTasks() throws Exception {
    createTask("task-1", null);
    createTask("task-2", "100ms");

    startAgent("node-1");

    await().atMost(WAIT).until(() -> state("task-1") == TaskState.RUNNING);
    await().atMost(WAIT).until(() -> state("task-2") == TaskState.COMPLETE);
    assertThat(node("node-1").getStatus().getState()).isEqualTo(NodeStatus.State.READY);
    assertThat(node("node-1").getDescription().getHostname()).isEqualTo("worker-1");
    assertThat(executor.running()).containsExactly("task-1");
  }

  @Test
  void desiredShutdownInTheStoreStopsTheTask() throws Exception {
    createTask("task-1", null);
    startAgent("node-1");
    await().atMost(WAIT).until(() -> state("task-1") == TaskState.RUNNING);

    store.update(tx -> {
      Task t = tx.get(Table.TASKS, "task-1").orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
    });

    await().atMost(WAIT).until(() -> state("task-1") == TaskState.SHUTDOWN);
    assertThat(executor.state("task-1")).contains(SimulatedExecutor.State.EXITED);
  }

  @Test
  void aStoppedAgentsNodeGoesDownAndARestartedOneReadoptsItsTasks() throws Exception {
    createTask("task-1", null);
    Agent first = startAgent("node-1");
    await().atMost(WAIT).until(() -> state("task-1") == TaskState.RUNNING);

    first.stop();
    await().atMost(WAIT).until(() -> node("node-1").getStatus().getState() == NodeStatus.State.DOWN);
    startAgent("node-1");

    await().atMost(WAIT).until(() -> node("node-1").getStatus().getState() == NodeStatus.State.READY);
    assertThat(state("task-1")).isEqualTo(TaskState.RUNNING);
    assertThat(executor.startCount("task-1")).isEqualTo(1);
  }

  @Test
  void deletingATaskRemovesItsContainer() throws Exception {
    createTask("task-1", null);
    startAgent("node-1");
    await().atMost(WAIT).until(() -> state("task-1") == TaskState.RUNNING);

    store.update(tx -> tx.delete(Table.TASKS, "task-1"));

    await().atMost(WAIT).until(() -> executor.state("task-1").isEmpty());
  }

  @Test
  void aFailingTaskIsReportedFailedWithItsExitCode() throws Exception {
    store.update(tx -> tx.create(Table.TASKS, Task.newBuilder().setId("bad").setNodeId("node-1")
        .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder()
            .putLabels("swarmkit.sim.run-time", "50ms").putLabels("swarmkit.sim.exit-code", "2")))
        .setDesiredState(TaskState.RUNNING).setStatus(TaskStatus.newBuilder().setState(TaskState.ASSIGNED))
        .build()));

    startAgent("node-1");

    await().atMost(WAIT).until(() -> state("bad") == TaskState.FAILED);
    TaskStatus st = store.view(tx -> tx.get(Table.TASKS, "bad")).orElseThrow().getStatus();
    assertThat(st.getErr()).isEqualTo("task: non-zero exit (2)");
    assertThat(st.getContainer().getExitCode()).isEqualTo(2);
    assertThat(Behavior.fromLabels(store.view(tx -> tx.get(Table.TASKS, "bad")).orElseThrow()).exitCode()).isEqualTo(2);
  }

  @Test
  void manyTasksOnOneAgentAllReachRunning() throws Exception {
    for (int i = 0; i < 100; i++) {
      createTask("many-" + i, null);
    }

    startAgent("node-1", false);

    await().atMost(Duration.ofSeconds(30)).until(() -> store.view(tx -> tx.all(Table.TASKS)).stream()
        .allMatch(t -> t.getStatus().getState() == TaskState.RUNNING));
    assertThat(executor.running()).hasSize(100);
  }
}
