package dev.swarmkit.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.LogContext;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogSelector;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one log subscription from the manager (upstream worker.Subscribe): streams the logs of every
 * matching task through the publisher; with follow, also of matching tasks started later, until
 * cancelled. Each task's log stream runs on its own thread.
 */
final class LogSubscription implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(LogSubscription.class);

  private final SubscriptionMessage subscription;
  private final Worker worker;
  private final LogPublisher publisher;
  private final String nodeId;
  private final List<Thread> streams = new ArrayList<>();
  private final Set<String> streaming = new HashSet<>();
  private volatile boolean cancelled;
  private Thread runner;

  LogSubscription(SubscriptionMessage subscription, Worker worker, LogPublisher publisher, String nodeId) {
    this.subscription = subscription;
    this.worker = worker;
    this.publisher = publisher;
    this.nodeId = nodeId;
  }

  String id() {
    return subscription.getId();
  }

  void start() {
    runner = new Thread(this, "log-subscription-" + subscription.getId());
    runner.setDaemon(true);
    runner.start();
  }

  void cancel() {
    cancelled = true;
    synchronized (this) {
      streams.forEach(Thread::interrupt);
    }
    if (runner != null) {
      runner.interrupt();
    }
  }

  @Override
  public void run() {
    Consumer<TaskController> onStart = this::maybeStream;
    boolean follow = subscription.getOptions().getFollow();
    try {
      if (follow) {
        worker.addTaskListener(onStart);
      }
      worker.controllers().forEach(this::maybeStream);
      if (follow) {
        while (!cancelled) {
          Thread.sleep(60_000);
        }
      } else {
        for (Thread t : snapshot()) {
          t.join();
        }
      }
    } catch (InterruptedException e) {
      // cancelled
    } finally {
      worker.removeTaskListener(onStart);
      cancel();
      publisher.close();
    }
  }

  private synchronized List<Thread> snapshot() {
    return new ArrayList<>(streams);
  }

  private boolean matches(Task t) {
    LogSelector sel = subscription.getSelector();
    return sel.getTaskIdsList().contains(t.getId())
        || sel.getServiceIdsList().contains(t.getServiceId())
        || sel.getNodeIdsList().contains(t.getNodeId());
  }

  private synchronized void maybeStream(TaskController tc) {
    Task task = tc.task();
    if (cancelled || !matches(task) || !streaming.add(task.getId())) {
      return;
    }
    Thread t = new Thread(() -> stream(task, tc.controller()), "logs-" + task.getId());
    t.setDaemon(true);
    streams.add(t);
    t.start();
  }

  private void stream(Task task, Controller controller) {
    LogSubscriptionOptions o = subscription.getOptions();
    boolean stdout = o.getStreamsCount() == 0 || o.getStreamsList().contains(LogStream.LOG_STREAM_STDOUT);
    boolean stderr = o.getStreamsCount() == 0 || o.getStreamsList().contains(LogStream.LOG_STREAM_STDERR);
    // Swarmkit's tail: 0 all, -n the last n-1 lines, +n skip the first n (the runtime counts from the end).
    long tail = o.getTail() < 0 ? -o.getTail() - 1 : -1;
    AtomicLong skip = new AtomicLong(Math.max(0, o.getTail()));
    long since = o.hasSince() ? Timestamps.toMillis(o.getSince()) : 0;
    LogContext context = LogContext.newBuilder().setServiceId(task.getServiceId())
        .setNodeId(nodeId.isEmpty() ? task.getNodeId() : nodeId).setTaskId(task.getId()).build();
    try {
      controller.logs(new Controller.LogOptions(o.getFollow(), tail, since, stdout, stderr),
          (isStderr, timestamp, data) -> {
            if (cancelled) {
              return false;
            }
            if (skip.get() > 0) {
              skip.decrementAndGet();
              return true;
            }
            publisher.publish(LogMessage.newBuilder().setContext(context)
                .setTimestamp(Timestamps.fromMillis(timestamp))
                .setStream(isStderr ? LogStream.LOG_STREAM_STDERR : LogStream.LOG_STREAM_STDOUT)
                .setData(ByteString.copyFrom(data)).build());
            return true;
          });
    } catch (InterruptedException e) {
      // cancelled
    } catch (ExecutorException | RuntimeException e) {
      if (!cancelled) {
        log.warn("logs of task {} for subscription {} failed: {}", task.getId(), subscription.getId(), e.getMessage());
      }
    }
  }
}
