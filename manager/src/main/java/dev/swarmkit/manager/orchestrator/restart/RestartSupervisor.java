package dev.swarmkit.manager.orchestrator.restart;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import dev.swarmkit.manager.orchestrator.Services;
import dev.swarmkit.manager.orchestrator.SlotTuple;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces failed or displaced tasks according to their restart policy (upstream restart.go).
 *
 * <p>{@link #restart} shuts the old task down and, if the policy allows, creates its replacement in
 * desired state READY; a {@link DelayedStart} later moves the replacement to desired RUNNING once the
 * restart delay has elapsed and the old task has stopped (or its node went down, or a timeout
 * passed). The replacement is unassigned, so the scheduler may put it on another node. Restart
 * history is kept per slot (replicated) or per node (global) to enforce {@code max_attempts} within
 * {@code window}; it is reset when the service's spec version changes.
 */
public final class RestartSupervisor {

  /** Upstream's defaultOldTaskTimeout: how long a replacement waits for the old task to stop. */
  public static final Duration DEFAULT_OLD_TASK_TIMEOUT = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RestartSupervisor.class);

  private final Store store;
  private final Duration oldTaskTimeout;
  private final ExecutorService workers;
  private final Object lock = new Object();
  private final Map<String, DelayedStart> delays = new HashMap<>();
  private final Map<String, Map<SlotTuple, RestartHistory>> historyByService = new HashMap<>();

  public RestartSupervisor(Store store) {
    this(store, DEFAULT_OLD_TASK_TIMEOUT);
  }

  public RestartSupervisor(Store store, Duration oldTaskTimeout) {
    this.store = store;
    this.oldTaskTimeout = oldTaskTimeout;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "restart-delay-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  Store store() {
    return store;
  }

  Duration oldTaskTimeout() {
    return oldTaskTimeout;
  }

  /**
   * Within transaction {@code tx}: shuts {@code task} down (desired SHUTDOWN) and, if its restart
   * policy allows, creates a replacement that starts after the restart delay. If the task's own
   * delayed start is still pending, the restart is deferred until that start happened, to avoid
   * tight restart loops.
   */
  public void restart(Tx tx, Cluster cluster, Service service, Task task) {
    synchronized (lock) {
      DelayedStart pending = delays.get(task.getId());
      if (pending != null) {
        if (!pending.waiter) {
          pending.waiter = true;
          pending.done.thenRunAsync(() -> restartAfterPendingStart(cluster, task.getId()), workers);
        }
        return;
      }
    }
    Task current = tx.get(Table.TASKS, task.getId()).orElse(task);
    if (TaskStates.isAfter(current.getDesiredState(), TaskState.COMPLETE)) {
      throw new IllegalStateException("Restart called on task that was already shut down");
    }
    Task shutDown = current.toBuilder().setDesiredState(TaskState.SHUTDOWN).build();
    tx.update(Table.TASKS, shutDown);

    if (!shouldRestart(shutDown, service)) {
      return;
    }
    Task replacement;
    if (Services.isReplicated(service) || Services.isReplicatedJob(service)) {
      replacement = Tasks.newTask(cluster, service, shutDown.getSlot(), "");
    } else if (Services.isGlobal(service) || Services.isGlobalJob(service)) {
      replacement = Tasks.newTask(cluster, service, 0, shutDown.getNodeId());
    } else {
      log.error("service {} not supported by restart supervisor", service.getId());
      return;
    }
    if (Services.isReplicatedJob(service) || Services.isGlobalJob(service)) {
      replacement = replacement.toBuilder()
          .setJobIteration(Version.newBuilder().setIndex(service.getJobStatus().getJobIteration().getIndex()))
          .build();
    }
    replacement = replacement.toBuilder().setDesiredState(TaskState.READY).build();

    Node node = shutDown.getNodeId().isEmpty() ? null : tx.get(Table.NODES, shutDown.getNodeId()).orElse(null);
    // The restart delay does not apply to tasks displaced by draining their node.
    Duration delay = Duration.ZERO;
    if (node == null || node.getSpec().getAvailability() != NodeSpec.Availability.DRAIN) {
      delay = Tasks.restartDelay(shutDown);
    }
    // Wait for the old task to stop unless it already has, or its node is down.
    boolean waitStop = !((node != null && node.getStatus().getState() == NodeStatus.State.DOWN)
        || TaskStates.isAfter(shutDown.getStatus().getState(), TaskState.RUNNING));

    tx.create(Table.TASKS, replacement);
    recordRestartHistory(new SlotTuple(replacement.getServiceId(), replacement.getSlot(), replacement.getNodeId()),
        replacement);
    delayStart(shutDown, replacement.getId(), delay, waitStop);
  }

  private void restartAfterPendingStart(Cluster cluster, String taskId) {
    StoreWrites.tryUpdate(store, "restart task " + taskId + " after its delayed start", tx -> {
      Task t = tx.get(Table.TASKS, taskId).orElse(null);
      if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
        return;
      }
      Service service = tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
      if (service == null) {
        return;
      }
      restart(tx, cluster, service, t);
    });
  }

  /** Whether the task's restart policy allows replacing it now. */
  boolean shouldRestart(Task task, Service service) {
    switch (Tasks.restartCondition(task)) {
      case ANY:
        if ((Services.isReplicatedJob(service) || Services.isGlobalJob(service))
            && task.getStatus().getState() == TaskState.COMPLETE) {
          return false;
        }
        break;
      case ON_FAILURE:
        if (task.getStatus().getState() == TaskState.COMPLETE) {
          return false;
        }
        break;
      case NONE:
      default:
        return false;
    }
    RestartPolicy policy = task.getSpec().getRestart();
    if (!task.getSpec().hasRestart() || policy.getMaxAttempts() == 0) {
      return true;
    }
    SlotTuple tuple = Services.isGlobal(service) || Services.isGlobalJob(service)
        ? new SlotTuple(task.getServiceId(), task.getSlot(), task.getNodeId())
        : SlotTuple.replicated(task.getServiceId(), task.getSlot());

    synchronized (lock) {
      RestartHistory history = historyByService.getOrDefault(task.getServiceId(), Map.of()).get(tuple);
      if (history == null || (task.hasSpecVersion() && !task.getSpecVersion().equals(history.specVersion))) {
        return true;
      }
      if (!policy.hasWindow() || (policy.getWindow().getSeconds() == 0 && policy.getWindow().getNanos() == 0)) {
        return history.totalRestarts < policy.getMaxAttempts();
      }
      if (history.restartedAt == null) {
        return true;
      }
      com.google.protobuf.Timestamp ts = Tasks.statusTimestamp(task);
      if (ts == null) {
        return history.totalRestarts < policy.getMaxAttempts();
      }
      Instant timestamp = Tasks.toInstant(ts);
      Duration window = Duration.ofSeconds(policy.getWindow().getSeconds(), policy.getWindow().getNanos());
      Instant lookback = timestamp.minus(window);
      // Forget restarts older than the window; they never count again.
      while (!history.restartedAt.isEmpty() && !history.restartedAt.peekFirst().isAfter(lookback)) {
        history.restartedAt.removeFirst();
      }
      long restarts = history.restartedAt.size();
      // Restarts that happened after this task's status do not count against it.
      Iterator<Instant> newestFirst = history.restartedAt.descendingIterator();
      while (newestFirst.hasNext() && !newestFirst.next().isBefore(timestamp)) {
        restarts--;
      }
      if (history.restartedAt.isEmpty()) {
        history.restartedAt = null;
      }
      return restarts < policy.getMaxAttempts();
    }
  }

  /**
   * The tasks of a slot the updater should consider: those desired to run, or else the newest one
   * if it stopped and will not be restarted (so outdated stopped tasks still get updated). Empty for
   * a slot that is waiting for a restart, and during a rollback for slots with no runnable task.
   */
  public List<Task> updatableTasksInSlot(List<Task> slot, Service service) {
    if (slot.isEmpty()) {
      return List.of();
    }
    List<Task> updatable = new ArrayList<>();
    for (Task t : slot) {
      if (TaskStates.isAtMost(t.getDesiredState(), TaskState.RUNNING)) {
        updatable.add(t);
      }
    }
    if (!updatable.isEmpty()) {
      return updatable;
    }
    if (service.getUpdateStatus().getState() == UpdateStatus.UpdateState.ROLLBACK_STARTED) {
      return List.of();
    }
    Task newest = slot.get(0);
    for (Task t : slot.subList(1, slot.size())) {
      if (Tasks.BY_TIMESTAMP.compare(newest, t) < 0) {
        newest = t;
      }
    }
    return shouldRestart(newest, service) ? List.of() : List.of(newest);
  }

  /** Counts a restart of the slot {@code tuple} whose replacement is {@code replacement}. */
  public void recordRestartHistory(SlotTuple tuple, Task replacement) {
    if (!replacement.getSpec().hasRestart() || replacement.getSpec().getRestart().getMaxAttempts() == 0) {
      return;
    }
    synchronized (lock) {
      RestartHistory history = historyByService
          .computeIfAbsent(replacement.getServiceId(), k -> new HashMap<>())
          .computeIfAbsent(tuple, k -> new RestartHistory());
      if (replacement.hasSpecVersion() && !replacement.getSpecVersion().equals(history.specVersion)) {
        // A new service definition starts with a clean record.
        history.totalRestarts = 0;
        history.restartedAt = null;
        history.specVersion = replacement.getSpecVersion();
      }
      history.totalRestarts++;
      RestartPolicy policy = replacement.getSpec().getRestart();
      if (policy.hasWindow() && (policy.getWindow().getSeconds() != 0 || policy.getWindow().getNanos() != 0)) {
        if (history.restartedAt == null) {
          history.restartedAt = new ArrayDeque<>();
        }
        history.restartedAt.addLast(replacement.getMeta().hasCreatedAt()
            ? Tasks.toInstant(replacement.getMeta().getCreatedAt())
            : Instant.now());
      }
    }
  }

  /**
   * Moves task {@code newTaskId} from desired READY to RUNNING once {@code delay} has elapsed and,
   * if {@code waitStop}, {@code oldTask} has stopped, its node is down or gone, or the old-task
   * timeout passed. Any earlier pending start of the same task is cancelled first. The returned
   * future completes when the start happened or was cancelled.
   */
  public CompletableFuture<Void> delayStart(Task oldTask, String newTaskId, Duration delay, boolean waitStop) {
    boolean waitForTask = waitStop && oldTask != null
        && TaskStates.isAtMost(oldTask.getStatus().getState(), TaskState.RUNNING);
    DelayedStart start = new DelayedStart(this, newTaskId, delay, waitForTask ? oldTask : null);
    synchronized (lock) {
      DelayedStart previous = delays.put(newTaskId, start);
      // Not waited for, unlike upstream: the caller may hold the store's write lock, which the
      // previous start may need to finish. A previous start that completes anyway only does what
      // this one will do.
      if (previous != null) {
        previous.cancel();
      }
    }
    DelayedStart started = start;
    workers.execute(() -> {
      try {
        started.run();
      } finally {
        synchronized (lock) {
          delays.remove(newTaskId, started);
        }
        started.done.complete(null);
      }
    });
    return start.done;
  }

  /** Moves a task that waits in desired READY to desired RUNNING (COMPLETE for job tasks). */
  public void startNow(Tx tx, String taskId) {
    Task t = tx.get(Table.TASKS, taskId).orElse(null);
    if (t == null || TaskStates.isAtLeast(t.getDesiredState(), TaskState.RUNNING)) {
      return;
    }
    TaskState target = t.hasJobIteration() ? TaskState.COMPLETE : TaskState.RUNNING;
    tx.update(Table.TASKS, t.toBuilder().setDesiredState(target).build());
  }

  /** Cancels a pending delayed start of {@code taskId} and waits until it has stopped. */
  public void cancel(String taskId) {
    DelayedStart d;
    synchronized (lock) {
      d = delays.get(taskId);
    }
    if (d != null) {
      d.cancel();
      d.done.join();
    }
  }

  /** Cancels every pending delayed start (on loss of leadership). */
  public void cancelAll() {
    synchronized (lock) {
      delays.values().forEach(DelayedStart::cancel);
    }
  }

  /** Forgets the restart history of a deleted service. */
  public void clearServiceHistory(String serviceId) {
    synchronized (lock) {
      historyByService.remove(serviceId);
    }
  }

  /** Number of delayed starts still pending; for tests and diagnostics. */
  public int pendingStarts() {
    synchronized (lock) {
      return delays.size();
    }
  }

  private static final class RestartHistory {
    long totalRestarts;
    /** Creation times of replacements, oldest first; only kept when a window is configured. */
    Deque<Instant> restartedAt;
    Version specVersion = Version.getDefaultInstance();
  }
}
