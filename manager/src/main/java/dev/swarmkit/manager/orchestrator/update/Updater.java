package dev.swarmkit.manager.orchestrator.update;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateConfig;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.manager.orchestrator.Services;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the dirty slots of one service to its current spec (upstream update.Updater): at most
 * {@code parallelism} slots at a time (0 = all), {@code delay} between slots of one worker, old task
 * stopped before (STOP_FIRST) or after (START_FIRST) its replacement starts. Replacement tasks that
 * fail within the monitoring period count as failures; past {@code max_failure_ratio} the failure
 * action pauses the update, or rolls the service back to its previous spec. Progress is recorded in
 * the service's UpdateStatus.
 */
final class Updater {

  private static final Logger log = LoggerFactory.getLogger(Updater.class);
  private static final Duration STEP = Duration.ofMillis(50);
  private static final UpdateConfig DEFAULT_CONFIG = UpdateConfig.newBuilder()
      .setFailureAction(UpdateConfig.FailureAction.PAUSE)
      .setMonitor(com.google.protobuf.Duration.newBuilder().setSeconds(5))
      .setParallelism(1)
      .setOrder(UpdateConfig.UpdateOrder.STOP_FIRST)
      .build();

  private final Store store;
  private final RestartSupervisor restarts;
  private final Cluster cluster;
  private final Service service;
  private final ExecutorService threads;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Replacement task ID -> when it reached RUNNING (EPOCH until then). */
  private final Map<String, Instant> updatedTasks = new ConcurrentHashMap<>();

  Updater(Store store, RestartSupervisor restarts, Cluster cluster, Service service, ExecutorService threads) {
    this.store = store;
    this.restarts = restarts;
    this.cluster = cluster;
    this.service = service;
    this.threads = threads;
  }

  Service target() {
    return service;
  }

  /** Stops the update and waits until it has stopped. */
  void cancel() {
    stop.countDown();
    try {
      finished.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean stopped() {
    return stop.getCount() == 0;
  }

  void run(List<List<Task>> slots) {
    try {
      doRun(slots);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("update of service {} failed", service.getId(), e);
    } finally {
      finished.countDown();
    }
  }

  private void doRun(List<List<Task>> slots) throws InterruptedException {
    UpdateStatus.UpdateState state = service.getUpdateStatus().getState();
    if (state == UpdateStatus.UpdateState.PAUSED || state == UpdateStatus.UpdateState.ROLLBACK_PAUSED) {
      return;
    }
    List<List<Task>> dirtySlots = new ArrayList<>();
    for (List<Task> slot : slots) {
      if (slot.size() > 1 || (slot.size() == 1 && isTaskDirty(slot.get(0)))) {
        dirtySlots.add(slot);
      }
    }
    boolean rollingBack = state == UpdateStatus.UpdateState.ROLLBACK_STARTED;
    if (dirtySlots.isEmpty()) {
      if (state == UpdateStatus.UpdateState.UPDATING || rollingBack) {
        completeUpdate();
      }
      return;
    }
    if (!service.hasUpdateStatus()) {
      startUpdate();
    }
    UpdateConfig config = rollingBack
        ? (service.getSpec().hasRollback() ? service.getSpec().getRollback() : DEFAULT_CONFIG)
        : (service.getSpec().hasUpdate() ? service.getSpec().getUpdate() : DEFAULT_CONFIG);
    Duration monitor = config.hasMonitor() ? toDuration(config.getMonitor()) : toDuration(DEFAULT_CONFIG.getMonitor());
    Duration delay = toDuration(config.getDelay());
    int parallelism = config.getParallelism() == 0 ? dirtySlots.size() : (int) config.getParallelism();

    try (Subscription failures = store.watch(e -> e.kind() == StoreEvent.Kind.UPDATE && e.table() == Table.TASKS
        && Table.TASKS.cast(e.newObject()).getServiceId().equals(service.getId())
        && TaskStates.isAfter(Table.TASKS.cast(e.newObject()).getStatus().getState(), TaskState.RUNNING))) {
      FailureCounter counter = new FailureCounter(config, monitor, dirtySlots.size(), rollingBack);
      Semaphore workers = new Semaphore(parallelism);
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (List<Task> slot : dirtySlots) {
        // Hand the slot to a free worker, watching for failures while all are busy.
        while (!workers.tryAcquire(STEP.toMillis(), TimeUnit.MILLISECONDS)) {
          if (stopped() || counter.drain(failures)) {
            awaitAll(running);
            return;
          }
        }
        if (stopped() || counter.drain(failures)) {
          workers.release();
          awaitAll(running);
          return;
        }
        running.add(CompletableFuture.runAsync(() -> {
          try {
            updateSlot(slot, config);
            if (!delay.isZero()) {
              stop.await(delay.toMillis(), TimeUnit.MILLISECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.error("update of a slot of service {} failed", service.getId(), e);
          } finally {
            workers.release();
          }
        }, threads));
      }
      awaitAll(running);
      if (stopped()) {
        return;
      }
      // Keep watching for failures of the new tasks for one more monitoring period.
      Duration watchFor = delay.compareTo(monitor) >= 0 ? delay.plusSeconds(1) : monitor;
      Instant until = Instant.now().plus(watchFor);
      while (Instant.now().isBefore(until)) {
        if (stopped() || counter.drain(failures)) {
          return;
        }
      }
      completeUpdate();
    }
  }

  private void awaitAll(List<CompletableFuture<Void>> running) {
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
  }

  private void updateSlot(List<Task> slot, UpdateConfig config) throws InterruptedException {
    Task runningClean = null;
    Task cleanNotStarted = null;
    for (Task t : slot) {
      if (!isTaskDirty(t)) {
        if (t.getDesiredState() == TaskState.RUNNING) {
          runningClean = t;
          break;
        }
        if (TaskStates.isBefore(t.getDesiredState(), TaskState.RUNNING)) {
          cleanNotStarted = t;
        }
      }
    }
    Task existing = runningClean != null ? runningClean : cleanNotStarted;
    if (existing != null) {
      useExistingTask(slot, existing);
      return;
    }
    Task first = slot.get(0);
    Task updated = Tasks.newTask(cluster, service, first.getSlot(), Services.isGlobal(service) ? first.getNodeId() : "")
        .toBuilder().setDesiredState(TaskState.READY).build();
    updateTask(slot, updated, config.getOrder());
  }

  private void updateTask(List<Task> slot, Task updated, UpdateConfig.UpdateOrder order) throws InterruptedException {
    // Watch before creating the task so that no status change of it can be missed.
    try (Subscription changes = store.watch(e -> e.kind() == StoreEvent.Kind.UPDATE && e.table() == Table.TASKS
        && Table.TASKS.cast(e.newObject()).getId().equals(updated.getId()))) {
      updatedTasks.put(updated.getId(), Instant.EPOCH);
      boolean startFirst = order == UpdateConfig.UpdateOrder.START_FIRST;
      CompletableFuture<Void>[] started = new CompletableFuture[1];
      boolean created = StoreWrites.tryUpdate(store, "create updated task", tx -> {
        if (tx.get(Table.SERVICES, updated.getServiceId()).isEmpty()) {
          throw new IllegalStateException("service was deleted");
        }
        tx.create(Table.TASKS, updated);
        Task old = startFirst ? null : shutDown(tx, slot);
        started[0] = restarts.delayStart(old, updated.getId(), Duration.ZERO, !startFirst);
      });
      if (!created) {
        return;
      }
      while (!stopped()) {
        if (started[0].isDone()) {
          break;
        }
        stop.await(STEP.toMillis(), TimeUnit.MILLISECONDS);
      }
      // Wait for the replacement to come up.
      while (!stopped()) {
        Optional<StoreEvent> e = changes.poll(STEP);
        if (e.isEmpty()) {
          continue;
        }
        Task t = Table.TASKS.cast(e.get().newObject());
        if (TaskStates.isAtLeast(t.getStatus().getState(), TaskState.RUNNING)) {
          updatedTasks.put(t.getId(), Instant.now());
          if (startFirst && t.getStatus().getState() == TaskState.RUNNING) {
            StoreWrites.tryUpdate(store, "shut down tasks replaced by " + t.getId(), tx -> shutDown(tx, slot));
          }
          return;
        }
      }
    }
  }

  private void useExistingTask(List<Task> slot, Task existing) {
    List<Task> others = new ArrayList<>();
    for (Task t : slot) {
      if (!t.getId().equals(existing.getId())) {
        others.add(t);
      }
    }
    if (others.isEmpty() && existing.getDesiredState() == TaskState.RUNNING) {
      return;
    }
    CompletableFuture<Void>[] started = new CompletableFuture[1];
    StoreWrites.tryUpdate(store, "keep task " + existing.getId(), tx -> {
      Task old = others.isEmpty() ? null : shutDown(tx, others);
      if (existing.getDesiredState() != TaskState.RUNNING) {
        started[0] = restarts.delayStart(old, existing.getId(), Duration.ZERO, true);
      }
    });
    while (started[0] != null && !started[0].isDone() && !stopped()) {
      try {
        stop.await(STEP.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Sets desired SHUTDOWN on the runnable tasks; returns one of them (for waiting), or null. */
  private Task shutDown(dev.swarmkit.store.Tx tx, List<Task> tasks) {
    Task shut = null;
    for (Task original : tasks) {
      if (TaskStates.isAfter(original.getDesiredState(), TaskState.RUNNING)) {
        continue;
      }
      Task t = tx.get(Table.TASKS, original.getId()).orElse(null);
      if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
        continue;
      }
      tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
      shut = t;
    }
    return shut;
  }

  private boolean isTaskDirty(Task t) {
    Node node = t.getNodeId().isEmpty() ? null : store.view(tx -> tx.get(Table.NODES, t.getNodeId()).orElse(null));
    return Tasks.isTaskDirty(service, t, node);
  }

  private void startUpdate() {
    StoreWrites.tryUpdate(store, "mark update of service " + service.getId() + " in progress", tx -> {
      Service s = tx.get(Table.SERVICES, service.getId()).orElse(null);
      if (s == null || s.hasUpdateStatus()) {
        return;
      }
      tx.update(Table.SERVICES, s.toBuilder().setUpdateStatus(UpdateStatus.newBuilder()
          .setState(UpdateStatus.UpdateState.UPDATING)
          .setMessage("update in progress")
          .setStartedAt(Tasks.now())).build());
    });
  }

  private void completeUpdate() {
    StoreWrites.tryUpdate(store, "mark update of service " + service.getId() + " complete", tx -> {
      Service s = tx.get(Table.SERVICES, service.getId()).orElse(null);
      if (s == null || !s.hasUpdateStatus()) {
        return;
      }
      UpdateStatus.UpdateState state = s.getUpdateStatus().getState();
      // Only an update in progress completes: an updater started from an older view of the service
      // (e.g. while its rollback ran) must not turn an ended ROLLBACK_COMPLETED into COMPLETED, nor
      // end a paused update.
      if (state != UpdateStatus.UpdateState.UPDATING && state != UpdateStatus.UpdateState.ROLLBACK_STARTED) {
        return;
      }
      boolean rollback = state == UpdateStatus.UpdateState.ROLLBACK_STARTED;
      tx.update(Table.SERVICES, s.toBuilder().setUpdateStatus(s.getUpdateStatus().toBuilder()
          .setState(rollback ? UpdateStatus.UpdateState.ROLLBACK_COMPLETED : UpdateStatus.UpdateState.COMPLETED)
          .setMessage(rollback ? "rollback completed" : "update completed")
          .setCompletedAt(Tasks.now())).build());
    });
  }

  private void pauseUpdate(String message) {
    StoreWrites.tryUpdate(store, "pause update of service " + service.getId(), tx -> {
      Service s = tx.get(Table.SERVICES, service.getId()).orElse(null);
      if (s == null || !s.hasUpdateStatus()) {
        return;
      }
      boolean rollback = s.getUpdateStatus().getState() == UpdateStatus.UpdateState.ROLLBACK_STARTED;
      tx.update(Table.SERVICES, s.toBuilder().setUpdateStatus(s.getUpdateStatus().toBuilder()
          .setState(rollback ? UpdateStatus.UpdateState.ROLLBACK_PAUSED : UpdateStatus.UpdateState.PAUSED)
          .setMessage(message)).build());
    });
  }

  private void rollbackUpdate(String message) {
    StoreWrites.tryUpdate(store, "roll back service " + service.getId(), tx -> {
      Service s = tx.get(Table.SERVICES, service.getId()).orElse(null);
      if (s == null || !s.hasUpdateStatus()) {
        return;
      }
      if (!s.hasPreviousSpec()) {
        throw new IllegalStateException("cannot roll back service because no previous spec is available");
      }
      Service.Builder b = s.toBuilder()
          .setUpdateStatus(s.getUpdateStatus().toBuilder()
              .setState(UpdateStatus.UpdateState.ROLLBACK_STARTED).setMessage(message))
          .setSpec(s.getPreviousSpec())
          .clearPreviousSpec()
          .clearPreviousSpecVersion();
      if (s.hasPreviousSpecVersion()) {
        b.setSpecVersion(s.getPreviousSpecVersion());
      } else {
        b.clearSpecVersion();
      }
      tx.update(Table.SERVICES, b.build());
    });
  }

  private static Duration toDuration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** Counts failures of this update's replacement tasks and applies the failure action. */
  private final class FailureCounter {
    private final UpdateConfig config;
    private final Duration monitor;
    private final int dirtySlots;
    private final boolean rollingBack;
    private final Set<String> failed = new HashSet<>();

    FailureCounter(UpdateConfig config, Duration monitor, int dirtySlots, boolean rollingBack) {
      this.config = config;
      this.monitor = monitor;
      this.dirtySlots = dirtySlots;
      this.rollingBack = rollingBack;
    }

    /** Consumes pending failure events; true when the failure action stopped the update. */
    boolean drain(Subscription failures) throws InterruptedException {
      Optional<StoreEvent> e = failures.poll(Duration.ZERO.plusMillis(1));
      while (e.isPresent()) {
        if (config.getFailureAction() != UpdateConfig.FailureAction.CONTINUE
            && triggersAction(Table.TASKS.cast(e.get().newObject()))) {
          stop.countDown();
          return true;
        }
        e = failures.poll(Duration.ZERO.plusMillis(1));
      }
      if (stopped()) {
        return true;
      }
      Thread.sleep(STEP.toMillis());
      return false;
    }

    private boolean triggersAction(Task task) {
      if (failed.contains(task.getId())) {
        return false;
      }
      Instant startedAt = updatedTasks.get(task.getId());
      if (startedAt == null
          || !(startedAt.equals(Instant.EPOCH) || Duration.between(startedAt, Instant.now()).compareTo(monitor) <= 0)) {
        return false;
      }
      failed.add(task.getId());
      if ((float) failed.size() / (float) dirtySlots <= config.getMaxFailureRatio()) {
        return false;
      }
      if (config.getFailureAction() == UpdateConfig.FailureAction.ROLLBACK && !rollingBack) {
        rollbackUpdate("update rolled back due to failure or early termination of task " + task.getId());
      } else {
        pauseUpdate((rollingBack ? "rollback" : "update") + " paused due to failure or early termination of task "
            + task.getId());
      }
      return true;
    }
  }
}
