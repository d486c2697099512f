package dev.swarmkit.agent;

import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateTaskStatusRequest.TaskStatusUpdate;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends observed task statuses to the dispatcher in batches (upstream's statusReporter plus
 * session.sendTaskStatuses). Only the newest status per task is kept; an older state never replaces a
 * newer one. While there is no session, statuses wait; failed sends are retried. At most one batch
 * is in flight. A batch goes {@link #LINGER} after its first status, so that the steps a task takes in
 * quick succession (accepted, preparing, ... running) share one call, and batches start at least
 * {@link #MIN_INTERVAL} apart, so that a burst (a node starting many tasks) shares calls instead of
 * making one or two per task, each relayed by a follower and decoded by the leader. Sends are
 * asynchronous and waits are timers, so a reporter holds no thread.
 */
final class StatusReporter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
  /** Upstream's batch size for UpdateTaskStatus. */
  static final int BATCH_SIZE = 1024;
  private static final Duration RETRY_DELAY = Duration.ofMillis(200);
  /** Least time between the starts of two batches; the dispatcher commits statuses every 100 ms. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  /** How long a batch waits after its first status for more. */
  static final Duration LINGER = Duration.ofMillis(50);
  private static final ScheduledExecutorService TIMER;

  static {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "agent-status-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    TIMER = timer;
  }

  /** Sends one batch over the current session; the result completes when the dispatcher answered. */
  @FunctionalInterface
  interface Sender {
    CompletionStage<?> send(List<TaskStatusUpdate> updates);
  }

  private final Map<String, TaskStatus> pending = new LinkedHashMap<>();
  private final long minIntervalNanos;
  private final long lingerNanos;
  /** When the oldest status waiting in {@link #pending} was queued. */
  private long firstPendingNanos;
  private Sender sender;
  private boolean closed;
  private boolean inFlight;
  private boolean waitingToRetry;
  private boolean waitingToSend;
  private boolean sentBefore;
  private long lastSendNanos;

  StatusReporter() {
    this(MIN_INTERVAL, LINGER);
  }

  StatusReporter(Duration minInterval, Duration linger) {
    this.minIntervalNanos = minInterval.toNanos();
    this.lingerNanos = linger.toNanos();
  }

  /** Queues a status; dropped if a newer state for the task is already queued. */
  void report(String taskId, TaskStatus status) {
    synchronized (this) {
      TaskStatus current = pending.get(taskId);
      if (current != null && (current.equals(status)
          || current.getState().getNumber() > status.getState().getNumber())) {
        return;
      }
      if (pending.isEmpty()) {
        firstPendingNanos = System.nanoTime();
      }
      pending.put(taskId, status);
    }
    pump();
  }

  /** Sets (or clears, with null) the session to send through. */
  void setSender(Sender sender) {
    synchronized (this) {
      this.sender = sender;
    }
    pump();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  /** Sends the next batch unless one is in flight or waiting to be retried. */
  private void pump() {
    List<TaskStatusUpdate> batch = new ArrayList<>();
    Sender s;
    synchronized (this) {
      if (closed || inFlight || waitingToRetry || waitingToSend || sender == null || pending.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      long wait = firstPendingNanos + lingerNanos - now;
      if (sentBefore) {
        wait = Math.max(wait, lastSendNanos + minIntervalNanos - now);
      }
      if (wait > 0) {
        waitingToSend = true;
        TIMER.schedule(this::sendWaitOver, wait, TimeUnit.NANOSECONDS);
        return;
      }
      sentBefore = true;
      lastSendNanos = System.nanoTime();
      s = sender;
      Iterator<Map.Entry<String, TaskStatus>> it = pending.entrySet().iterator();
      while (it.hasNext() && batch.size() < BATCH_SIZE) {
        Map.Entry<String, TaskStatus> e = it.next();
        batch.add(TaskStatusUpdate.newBuilder().setTaskId(e.getKey()).setStatus(e.getValue()).build());
        it.remove();
      }
      inFlight = true;
    }
    CompletionStage<?> sent;
    try {
      sent = s.send(batch);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, error) -> sent(s, batch, error));
  }

  private void sent(Sender s, List<TaskStatusUpdate> batch, Throwable error) {
    Throwable cause = error instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : error;
    synchronized (this) {
      inFlight = false;
      if (cause != null) {
        if (cause instanceof StatusRuntimeException sre
            && sre.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
          log.error("dispatcher refused task status batch, dropping it: {}", sre.getStatus());
        } else {
          log.warn("status reporter failed to report status to dispatcher: {}", cause.toString());
          if (pending.isEmpty()) {
            firstPendingNanos = System.nanoTime() - lingerNanos; // a retry waits for its own delay only
          }
          for (TaskStatusUpdate u : batch) {
            pending.putIfAbsent(u.getTaskId(), u.getStatus());
          }
          if (sender == s && !closed) {
            waitingToRetry = true;
            TIMER.schedule(this::retry, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      }
    }
    pump();
  }

  private void sendWaitOver() {
    synchronized (this) {
      waitingToSend = false;
    }
    pump();
  }

  private void retry() {
    synchronized (this) {
      waitingToRetry = false;
    }
    pump();
  }
}
