package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateTaskStatusRequest.TaskStatusUpdate;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StatusReporterTest {

  /** Answers every batch at once and records it with the time it was sent. */
  static final class RecordingSender implements StatusReporter.Sender {
    final List<List<TaskStatusUpdate>> sent = new CopyOnWriteArrayList<>();
    final List<Long> sentAt = new CopyOnWriteArrayList<>();

    @Override
    public java.util.concurrent.CompletionStage<?> send(List<TaskStatusUpdate> batch) {
      sent.add(batch);
      sentAt.add(System.nanoTime());
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
  }

  static TaskStatus status(TaskState s) {
    return TaskStatus.newBuilder().setState(s).build();
  }

  @Test
  void holdsStatusesUntilASessionExistsAndKeepsOnlyTheNewestState() {
    List<List<TaskStatusUpdate>> sent = new CopyOnWriteArrayList<>();
    try (StatusReporter reporter = new StatusReporter()) {
      reporter.report("a", status(TaskState.PREPARING));
      reporter.report("a", status(TaskState.RUNNING));
      reporter.report("a", status(TaskState.READY)); // older than RUNNING: dropped
      reporter.report("b", status(TaskState.ACCEPTED));

      reporter.setSender(batch -> {
        sent.add(batch);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      });

      await().atMost(Duration.ofSeconds(5)).until(() -> !sent.isEmpty());
      assertThat(sent.get(0)).extracting(u -> u.getTaskId() + ":" + u.getStatus().getState())
          .containsExactly("a:RUNNING", "b:ACCEPTED");
    }
  }

  @Test
  void retriesAfterAFailedSend() {
    AtomicInteger attempts = new AtomicInteger();
    List<TaskStatusUpdate> delivered = new CopyOnWriteArrayList<>();
    try (StatusReporter reporter = new StatusReporter()) {
      reporter.setSender(batch -> {
        if (attempts.incrementAndGet() == 1) {
          throw Status.UNAVAILABLE.asRuntimeException();
        }
        delivered.addAll(batch);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      });

      reporter.report("a", status(TaskState.RUNNING));

      await().atMost(Duration.ofSeconds(5)).until(() -> !delivered.isEmpty());
      assertThat(delivered).extracting(TaskStatusUpdate::getTaskId).containsExactly("a");
      assertThat(attempts.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aStatusAfterAQuietSpellGoesAtOnceAndABurstSharesTheNextCall() {
    RecordingSender sender = new RecordingSender();
    List<List<TaskStatusUpdate>> sent = sender.sent;
    List<Long> sentAt = sender.sentAt;
    try (StatusReporter reporter = new StatusReporter(Duration.ofMillis(400), Duration.ZERO)) {
      reporter.setSender(sender);

      long before = System.nanoTime();
      reporter.report("a", status(TaskState.RUNNING));
      await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
      assertThat(Duration.ofNanos(sentAt.get(0) - before)).as("the first status waits for nothing")
          .isLessThan(Duration.ofMillis(400));

      reporter.report("b", status(TaskState.PREPARING));
      reporter.report("c", status(TaskState.RUNNING));
      reporter.report("b", status(TaskState.RUNNING));
      await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
      assertThat(sent.get(1)).extracting(u -> u.getTaskId() + ":" + u.getStatus().getState())
          .containsExactly("b:RUNNING", "c:RUNNING");
      // (measured inside the sender, a moment after the reporter took its start time)
      assertThat(Duration.ofNanos(sentAt.get(1) - sentAt.get(0))).as("batches start the interval apart")
          .isGreaterThan(Duration.ofMillis(350));
    }
  }

  @Test
  void aTasksStepsInQuickSuccessionShareOneCall() throws Exception {
    RecordingSender sender = new RecordingSender();
    List<List<TaskStatusUpdate>> sent = sender.sent;
    List<Long> sentAt = sender.sentAt;
    try (StatusReporter reporter = new StatusReporter(Duration.ZERO, Duration.ofMillis(300))) {
      reporter.setSender(sender);

      long first = System.nanoTime();
      reporter.report("a", status(TaskState.ACCEPTED));
      reporter.report("a", status(TaskState.PREPARING));
      Thread.sleep(50);
      reporter.report("a", status(TaskState.RUNNING));
      await().atMost(Duration.ofSeconds(5)).until(() -> !sent.isEmpty());
      Thread.sleep(400);
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0)).extracting(u -> u.getTaskId() + ":" + u.getStatus().getState())
          .containsExactly("a:RUNNING");
      assertThat(Duration.ofNanos(sentAt.get(0) - first)).as("the batch waited for more").isGreaterThan(Duration.ofMillis(250));
    }
  }
}
