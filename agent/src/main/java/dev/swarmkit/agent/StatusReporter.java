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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends observed task statuses to the dispatcher in batches (upstream's statusReporter plus
 * session.sendTaskStatuses). Only the newest status per task is kept; an older state never replaces a
 * newer one. While there is no session, statuses wait; failed sends are retried.
 */
final class StatusReporter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
  /** Upstream's batch size for UpdateTaskStatus. */
  static final int BATCH_SIZE = 1024;
  private static final Duration RETRY_DELAY = Duration.ofMillis(200);

  /** Sends one batch over the current session. */
  @FunctionalInterface
  interface Sender {
    void send(List<TaskStatusUpdate> updates);
  }

  private final Map<String, TaskStatus> pending = new LinkedHashMap<>();
  private final Thread thread;
  private Sender sender;
  private boolean closed;

  StatusReporter() {
    thread = new Thread(this::run, "agent-status-reporter");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a status; dropped if a newer state for the task is already queued. */
  synchronized void report(String taskId, TaskStatus status) {
    TaskStatus current = pending.get(taskId);
    if (current != null && (current.equals(status)
        || current.getState().getNumber() > status.getState().getNumber())) {
      return;
    }
    pending.put(taskId, status);
    notifyAll();
  }

  /** Sets (or clears, with null) the session to send through. */
  synchronized void setSender(Sender sender) {
    this.sender = sender;
    notifyAll();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    thread.interrupt();
  }

  private void run() {
    while (true) {
      List<TaskStatusUpdate> batch = new ArrayList<>();
      Sender s;
      synchronized (this) {
        while (!closed && (pending.isEmpty() || sender == null)) {
          try {
            wait();
          } catch (InterruptedException e) {
            // checked via closed
          }
        }
        if (closed) {
          return;
        }
        s = sender;
        Iterator<Map.Entry<String, TaskStatus>> it = pending.entrySet().iterator();
        while (it.hasNext() && batch.size() < BATCH_SIZE) {
          Map.Entry<String, TaskStatus> e = it.next();
          batch.add(TaskStatusUpdate.newBuilder().setTaskId(e.getKey()).setStatus(e.getValue()).build());
          it.remove();
        }
      }
      try {
        s.send(batch);
      } catch (RuntimeException e) {
        if (e instanceof StatusRuntimeException sre
            && sre.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
          log.error("dispatcher refused task status batch, dropping it: {}", sre.getStatus());
          continue;
        }
        log.warn("status reporter failed to report status to dispatcher: {}", e.toString());
        synchronized (this) {
          for (TaskStatusUpdate u : batch) {
            pending.putIfAbsent(u.getTaskId(), u.getStatus());
          }
          if (sender == s) {
            try {
              wait(RETRY_DELAY.toMillis());
            } catch (InterruptedException ie) {
              // checked via closed
            }
          }
        }
      }
    }
  }
}
