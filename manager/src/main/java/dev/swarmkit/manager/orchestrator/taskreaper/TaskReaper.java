package dev.swarmkit.manager.orchestrator.taskreaper;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.ClusterObjects;
import dev.swarmkit.manager.orchestrator.SlotTuple;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes old tasks (upstream taskreaper): keeps at most the cluster's
 * {@code task_history_retention_limit} tasks per slot (replicated) or per node (global), deleting the
 * oldest stopped ones; deletes tasks with desired state REMOVE once they are down or were never
 * assigned (scale-down and deleted services); deletes orphaned tasks without a service. Work is
 * batched: it runs {@link #BATCH_INTERVAL} after the first change, or at once past {@link #MAX_DIRTY}.
 */
public final class TaskReaper extends WatchLoop {

  /** Used when no cluster object exists yet; upstream's default cluster spec has the same value. */
  public static final long DEFAULT_TASK_HISTORY = 5;

  static final int MAX_DIRTY = 1000;
  static final Duration BATCH_INTERVAL = Duration.ofMillis(250);

  private final Store store;
  private final Set<SlotTuple> dirty = new LinkedHashSet<>();
  private final Set<String> cleanup = new LinkedHashSet<>();
  private long taskHistory = DEFAULT_TASK_HISTORY;
  private Instant tickAt;

  public TaskReaper(Store store) {
    super("task-reaper");
    this.store = store;
  }

  private record Snapshot(Cluster cluster, List<Task> orphaned, List<Task> removed) {}

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(
        tx -> new Snapshot(ClusterObjects.defaultCluster(tx),
            tx.find(Table.TASKS, By.taskState(TaskState.ORPHANED)),
            tx.find(Table.TASKS, By.desiredState(TaskState.REMOVE))),
        e -> (e.table() == Table.TASKS && (e.kind() == StoreEvent.Kind.CREATE || e.kind() == StoreEvent.Kind.UPDATE))
            || (e.table() == Table.CLUSTERS && e.kind() == StoreEvent.Kind.UPDATE));
    Snapshot s = vw.result();
    dirty.clear();
    cleanup.clear();
    tickAt = null;
    if (s.cluster() != null) {
      taskHistory = s.cluster().getSpec().getOrchestration().getTaskHistoryRetentionLimit();
    }
    for (Task t : s.orphaned()) {
      // Service tasks go through the normal history limit; serviceless ones can go now.
      if (t.getServiceId().isEmpty()) {
        cleanup.add(t.getId());
      }
    }
    for (Task t : s.removed()) {
      if (removable(t)) {
        cleanup.add(t.getId());
      }
    }
    if (!cleanup.isEmpty()) {
      tick();
    }
    return vw.subscription();
  }

  @Override
  protected Duration pollInterval() {
    return Duration.ofMillis(50);
  }

  @Override
  protected void handle(StoreEvent event) {
    if (event.table() == Table.TASKS) {
      Task t = Table.TASKS.cast(event.newObject());
      if (event.kind() == StoreEvent.Kind.CREATE) {
        dirty.add(SlotTuple.of(t));
      } else {
        if (TaskStates.isAtLeast(t.getStatus().getState(), TaskState.ORPHANED) && t.getServiceId().isEmpty()) {
          cleanup.add(t.getId());
        }
        if (t.getDesiredState() == TaskState.REMOVE && removable(t)) {
          cleanup.add(t.getId());
        }
      }
    } else if (event.table() == Table.CLUSTERS) {
      Cluster c = Table.CLUSTERS.cast(event.newObject());
      if (ClusterObjects.DEFAULT_CLUSTER_NAME.equals(c.getSpec().getAnnotations().getName())) {
        taskHistory = c.getSpec().getOrchestration().getTaskHistoryRetentionLimit();
      }
    }
    if (dirty.size() + cleanup.size() > MAX_DIRTY) {
      tickAt = null;
      tick();
    } else if (tickAt == null) {
      tickAt = Instant.now().plus(BATCH_INTERVAL);
    } else {
      idle();
    }
  }

  @Override
  protected void idle() {
    if (tickAt != null && !Instant.now().isBefore(tickAt)) {
      tickAt = null;
      tick();
    }
  }

  /** Not yet assigned, or already past COMPLETE: nothing runs it or will. */
  private static boolean removable(Task t) {
    return TaskStates.isBefore(t.getStatus().getState(), TaskState.ASSIGNED)
        || TaskStates.isAtLeast(t.getStatus().getState(), TaskState.COMPLETE);
  }

  private void tick() {
    if (dirty.isEmpty() && cleanup.isEmpty()) {
      return;
    }
    Set<String> delete = new LinkedHashSet<>(cleanup);
    cleanup.clear();
    store.read(tx -> {
      for (Iterator<SlotTuple> it = dirty.iterator(); it.hasNext(); ) {
        SlotTuple slot = it.next();
        Service service = tx.get(Table.SERVICES, slot.serviceId()).orElse(null);
        if (service == null) {
          it.remove();
          continue;
        }
        long keep = taskHistory;
        // Enough history must survive to rebuild the restart count when a new leader starts.
        if (service.getSpec().getTask().hasRestart() && service.getSpec().getTask().getRestart().getMaxAttempts() > 0) {
          keep = service.getSpec().getTask().getRestart().getMaxAttempts() + 1;
        }
        // A negative limit means: never clean up.
        if (keep < 0) {
          it.remove();
          continue;
        }
        List<Task> history = new ArrayList<>();
        if (service.getSpec().getModeCase() == ServiceSpec.ModeCase.REPLICATED) {
          history.addAll(tx.find(Table.TASKS, By.slot(slot.serviceId(), slot.slot())));
        } else if (service.getSpec().getModeCase() == ServiceSpec.ModeCase.GLOBAL) {
          for (Task t : tx.find(Table.TASKS, By.nodeId(slot.nodeId()))) {
            if (t.getServiceId().equals(slot.serviceId())) {
              history.add(t);
            }
          }
        }
        if (history.size() <= keep) {
          it.remove();
          continue;
        }
        history.sort(Tasks.BY_TIMESTAMP);
        int running = 0;
        for (Task t : history) {
          boolean terminal = TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING);
          boolean willNeverRun = TaskStates.isBefore(t.getStatus().getState(), TaskState.ASSIGNED)
              && TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING);
          if (terminal || willNeverRun) {
            delete.add(t.getId());
            keep++;
            if (history.size() <= keep) {
              break;
            }
          } else {
            running++;
          }
        }
        // With several runnable tasks (an update in progress) look again once they have stopped.
        if (running <= 1) {
          it.remove();
        }
      }
    });
    if (!delete.isEmpty()) {
      StoreWrites.tryBatch(store, "delete old tasks", batch -> {
        for (String id : delete) {
          StoreWrites.tryUpdate(batch, "delete task " + id, tx -> StoreWrites.deleteTaskIfPresent(tx, id));
        }
      });
    }
  }
}
