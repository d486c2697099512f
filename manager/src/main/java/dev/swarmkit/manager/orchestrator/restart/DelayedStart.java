package dev.swarmkit.manager.orchestrator.restart;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pending start of a replacement task: waits for the restart delay, then (optionally) for the
 * old task to stop or its node to go down or away, bounded by the old-task timeout, then sets the
 * replacement's desired state to RUNNING. Runs on a worker thread of the {@link RestartSupervisor}.
 *
 * <p>The replacement is usually created in the same transaction that requested the start; the
 * worker may run before that transaction is committed, so it also waits for the task to appear.
 */
final class DelayedStart {

  private static final Logger log = LoggerFactory.getLogger(DelayedStart.class);
  private static final Duration STEP = Duration.ofMillis(50);

  final CompletableFuture<Void> done = new CompletableFuture<>();
  /** Whether a restart of this (new) task already waits for this start; guarded by the supervisor. */
  boolean waiter;

  private final RestartSupervisor supervisor;
  private final String newTaskId;
  private final Duration delay;
  private final Task oldTask;
  private final CountDownLatch cancelled = new CountDownLatch(1);

  DelayedStart(RestartSupervisor supervisor, String newTaskId, Duration delay, Task oldTaskToAwait) {
    this.supervisor = supervisor;
    this.newTaskId = newTaskId;
    this.delay = delay;
    this.oldTask = oldTaskToAwait;
  }

  void cancel() {
    cancelled.countDown();
  }

  void run() {
    Instant deadline = Instant.now().plus(supervisor.oldTaskTimeout());
    // Subscribe before looking at the store, so a change between the look and the wait is seen.
    try (Subscription sub = supervisor.store().watch(this::relevant)) {
      if (!delay.isZero() && cancelled.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
      if (oldTask != null) {
        // On timeout the replacement starts anyway, as upstream does after TaskTimeout.
        await(sub, deadline, this::oldTaskGoneEvent, this::oldTaskGone);
      }
      if (isCancelled()) {
        return;
      }
      boolean created = await(sub, deadline, e -> e.kind() == StoreEvent.Kind.CREATE
          && e.table() == Table.TASKS && Table.TASKS.cast(e.newObject()).getId().equals(newTaskId),
          this::newTaskExists);
      if (!created || isCancelled()) {
        return;
      }
      StoreWrites.tryUpdate(supervisor.store(), "move task " + newTaskId + " out of delayed state",
          tx -> supervisor.startNow(tx, newTaskId));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StoreException e) {
      log.warn("delayed start of task {} abandoned: {}", newTaskId, e.toString());
    }
  }

  /**
   * Waits until {@code done} holds, re-checked whenever a {@code wanted} event arrives; true if it
   * held before the deadline. If the watcher is dropped for falling behind, the store is polled.
   */
  private boolean await(Subscription sub, Instant deadline, Predicate<StoreEvent> wanted, BooleanSupplier done)
      throws InterruptedException {
    if (done.getAsBoolean()) {
      return true;
    }
    boolean watching = true;
    while (!isCancelled() && Instant.now().isBefore(deadline)) {
      if (watching) {
        try {
          Optional<StoreEvent> e = sub.poll(STEP);
          if (e.isPresent() && wanted.test(e.get())) {
            return true;
          }
          continue;
        } catch (StoreException.WatcherTooSlow tooSlow) {
          watching = false;
        }
      } else {
        Thread.sleep(STEP.toMillis());
      }
      if (done.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  private boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  private boolean relevant(StoreEvent e) {
    if (e.table() == Table.TASKS) {
      String id = Table.TASKS.cast(e.object()).getId();
      return id.equals(newTaskId) || (oldTask != null && id.equals(oldTask.getId()));
    }
    return oldTask != null && e.table() == Table.NODES
        && Table.NODES.cast(e.object()).getId().equals(oldTask.getNodeId());
  }

  private boolean oldTaskGoneEvent(StoreEvent e) {
    if (e.table() == Table.TASKS && e.kind() == StoreEvent.Kind.UPDATE) {
      Task t = Table.TASKS.cast(e.newObject());
      return t.getId().equals(oldTask.getId()) && TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING);
    }
    if (e.table() == Table.NODES) {
      if (e.kind() == StoreEvent.Kind.DELETE) {
        return true;
      }
      return e.kind() == StoreEvent.Kind.UPDATE
          && Table.NODES.cast(e.newObject()).getStatus().getState() == NodeStatus.State.DOWN;
    }
    return false;
  }

  private boolean oldTaskGone() {
    return supervisor.store().view(tx -> {
      Task t = tx.get(Table.TASKS, oldTask.getId()).orElse(null);
      if (t == null || TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING)) {
        return true;
      }
      if (t.getNodeId().isEmpty()) {
        // Never assigned: it cannot be running, and with desired state past RUNNING it never will.
        return true;
      }
      Node n = tx.get(Table.NODES, t.getNodeId()).orElse(null);
      return n == null || n.getStatus().getState() == NodeStatus.State.DOWN;
    });
  }

  private boolean newTaskExists() {
    return supervisor.store().view(tx -> tx.get(Table.TASKS, newTaskId).isPresent());
  }
}
