package dev.swarmkit.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskLogPublisherTest {

  @Test
  void subscriptionOptionsFollowTheProtoTailConvention() throws Exception {
    assertThat(TaskLogPublisher.logOptions(LogSubscriptionOptions.getDefaultInstance()))
        .isEqualTo(new Controller.LogOptions(false, -1, 0, true, true));
    assertThat(TaskLogPublisher.logOptions(LogSubscriptionOptions.newBuilder().setTail(-3).setFollow(true)
        .addStreams(LogStream.LOG_STREAM_STDERR).setSince(Timestamp.newBuilder().setSeconds(5).setNanos(7_000_000))
        .build()))
        .isEqualTo(new Controller.LogOptions(true, 2, 5007, false, true));
    assertThatThrownBy(() -> TaskLogPublisher.logOptions(LogSubscriptionOptions.newBuilder().setTail(4).build()))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("tail relative to start of logs not supported via docker API");
  }

  @Test
  void messagesCarryTheTasksContextStreamAndTimestamp() throws Exception {
    Task task = TestTasks.task("node-a", "svc", 1, TestTasks.shell("true"));
    Controller fake = new Controller() {
      @Override public void update(Task t) {}
      @Override public void prepare() {}
      @Override public void start() {}
      @Override public void waitExit() {}
      @Override public void shutdown() {}
      @Override public void terminate() {}
      @Override public void remove() {}
      @Override public void logs(LogOptions options, LogSink sink) {
        if (sink.accept(false, 1_500, "a\n".getBytes())) {
          sink.accept(true, 2_000, "b\n".getBytes());
        }
      }
    };
    List<LogMessage> got = new ArrayList<>();
    new TaskLogPublisher(fake, task).publish(LogSubscriptionOptions.getDefaultInstance(), got::add);

    assertThat(got).hasSize(2);
    assertThat(got.get(0).getContext().getTaskId()).isEqualTo(task.getId());
    assertThat(got.get(0).getContext().getServiceId()).isEqualTo(task.getServiceId());
    assertThat(got.get(0).getContext().getNodeId()).isEqualTo("node-a");
    assertThat(got.get(0).getTimestamp()).isEqualTo(Timestamp.newBuilder().setSeconds(1).setNanos(500_000_000).build());
    assertThat(got.get(0).getStream()).isEqualTo(LogStream.LOG_STREAM_STDOUT);
    assertThat(got.get(1).getStream()).isEqualTo(LogStream.LOG_STREAM_STDERR);
    assertThat(got.get(1).getData().toStringUtf8()).isEqualTo("b\n");
  }
}
