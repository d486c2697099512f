package dev.swarmkit.executor.docker;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.LogContext;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.Task;

/**
 * The agent-side hook for log subscriptions: streams one task's logs, as the manager's
 * {@code SubscriptionMessage} options ask, into {@link LogMessage}s stamped with the task's
 * service, node and task IDs (upstream's controller.Logs). The agent batches them into {@code
 * PublishLogsMessage}s for the subscription and sends them on its {@code PublishLogs} stream.
 */
public final class TaskLogPublisher {

  /** Receives each message; returns false to end the stream (the subscription was closed). */
  public interface Sink {
    boolean publish(LogMessage message);
  }

  private final Controller controller;
  private final LogContext context;

  public TaskLogPublisher(Controller controller, Task task) {
    this.controller = controller;
    this.context = LogContext.newBuilder()
        .setNodeId(task.getNodeId())
        .setServiceId(task.getServiceId())
        .setTaskId(task.getId())
        .build();
  }

  /** Streams until the logs end (not following), the sink returns false, or interruption. */
  public void publish(LogSubscriptionOptions options, Sink sink) throws ExecutorException, InterruptedException {
    controller.logs(logOptions(options), (stderr, millis, data) -> sink.publish(LogMessage.newBuilder()
        .setContext(context)
        .setTimestamp(Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
            .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000))
        .setStream(stderr ? LogStream.LOG_STREAM_STDERR : LogStream.LOG_STREAM_STDOUT)
        .setData(ByteString.copyFrom(data))
        .build()));
  }

  /**
   * Translates subscription options. Tail: zero is everything, negative n the last (-n-1) lines;
   * positive (skip the first n) has no Engine API equivalent, as upstream. No streams means both.
   */
  static Controller.LogOptions logOptions(LogSubscriptionOptions options) throws ExecutorException {
    long tail;
    if (options.getTail() < 0) {
      tail = -options.getTail() - 1;
    } else if (options.getTail() == 0) {
      tail = -1;
    } else {
      throw new ExecutorException("tail relative to start of logs not supported via docker API");
    }
    long since = options.hasSince()
        ? options.getSince().getSeconds() * 1000 + options.getSince().getNanos() / 1_000_000
        : 0;
    boolean stdout = options.getStreamsCount() == 0;
    boolean stderr = options.getStreamsCount() == 0;
    for (LogStream stream : options.getStreamsList()) {
      stdout |= stream == LogStream.LOG_STREAM_STDOUT;
      stderr |= stream == LogStream.LOG_STREAM_STDERR;
    }
    return new Controller.LogOptions(options.getFollow(), tail, since, stdout, stderr);
  }
}
