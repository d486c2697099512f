package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogSelector;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSubscriptionTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path stateDir;
  FakeDispatcher dispatcher;
  SimulatedExecutor executor = new SimulatedExecutor("worker-1");
  Agent agent;

  @BeforeEach
  void start() throws Exception {
    dispatcher = new FakeDispatcher();
    agent = new Agent(new AgentConfig(stateDir, () -> List.of(dispatcher.address()), executor,
        ChannelFactory.plaintext(), List.of(), Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(400), true));
    agent.start();
    assertThat(agent.awaitReady(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> dispatcher.subscriptionListeners() == 1);
  }

  @AfterEach
  void stop() throws Exception {
    agent.stop();
    dispatcher.close();
  }

  static Task task(String id, String logLine) {
    return Task.newBuilder().setId(id).setNodeId("node-1").setServiceId("svc")
        .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().putLabels("swarmkit.sim.log", logLine)))
        .setDesiredState(TaskState.RUNNING).setStatus(TaskStatus.newBuilder().setState(TaskState.ASSIGNED)).build();
  }

  static String text(LogMessage m) {
    return m.getData().toStringUtf8().trim();
  }

  @Test
  void logsOfMatchingTasksArePublishedThenTheSubscriptionIsClosed() {
    dispatcher.assign(task("task-1", "hello from one"));
    dispatcher.assign(task("task-2", "hello from two"));
    await().atMost(WAIT).until(() -> dispatcher.lastState("task-1") == TaskState.RUNNING
        && dispatcher.lastState("task-2") == TaskState.RUNNING);

    dispatcher.subscribe(SubscriptionMessage.newBuilder().setId("sub-1")
        .setSelector(LogSelector.newBuilder().addTaskIds("task-1"))
        .setOptions(LogSubscriptionOptions.getDefaultInstance()).build());

    await().atMost(WAIT).until(() -> dispatcher.closedSubscriptions.contains("sub-1"));
    List<LogMessage> logs = dispatcher.publishedLogs.get("sub-1");
    assertThat(logs).extracting(LogSubscriptionTest::text).containsExactly("hello from one");
    assertThat(logs.get(0).getContext().getTaskId()).isEqualTo("task-1");
    assertThat(logs.get(0).getContext().getServiceId()).isEqualTo("svc");
    assertThat(logs.get(0).getContext().getNodeId()).isEqualTo("node-1");
    assertThat(logs.get(0).getStream()).isEqualTo(LogStream.LOG_STREAM_STDOUT);
  }

  @Test
  void followingAServiceIncludesTasksStartedLaterUntilTheSubscriptionEnds() {
    dispatcher.assign(task("task-1", "first"));
    await().atMost(WAIT).until(() -> dispatcher.lastState("task-1") == TaskState.RUNNING);

    dispatcher.subscribe(SubscriptionMessage.newBuilder().setId("sub-2")
        .setSelector(LogSelector.newBuilder().addServiceIds("svc"))
        .setOptions(LogSubscriptionOptions.newBuilder().setFollow(true)).build());
    await().atMost(WAIT).until(() -> dispatcher.publishedLogs.containsKey("sub-2"));
    dispatcher.assign(task("task-2", "second"));

    await().atMost(WAIT).until(() -> dispatcher.publishedLogs.get("sub-2").stream()
        .map(LogSubscriptionTest::text).toList().containsAll(List.of("first", "second")));
    assertThat(dispatcher.closedSubscriptions).doesNotContain("sub-2");

    dispatcher.subscribe(SubscriptionMessage.newBuilder().setId("sub-2").setClose(true).build());

    await().atMost(WAIT).until(() -> dispatcher.closedSubscriptions.contains("sub-2"));
  }
}
