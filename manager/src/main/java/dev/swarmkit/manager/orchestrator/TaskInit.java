package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Repairs tasks a previous leader may have left half-processed, before an orchestrator starts its
 * loop (upstream taskinit.CheckTasks): deletes tasks of deleted services, lets the orchestrator fix
 * its own tasks, restarts the delayed starts of replacements still waiting in desired READY, and
 * rebuilds the restart history from the tasks of each slot.
 */
public final class TaskInit {

  /** What an orchestrator contributes to the repair. */
  public interface Handler {
    boolean isRelatedService(Service service);

    void fixTask(Store.Batch batch, Task task);

    SlotTuple slotTuple(Task task);
  }

  private TaskInit() {}

  /**
   * Repairs the tasks of the snapshot ({@code tasks}, {@code services}) the orchestrator subscribed
   * at. {@code rebuildHistory}: only on the first start of a leadership term; re-reading the state
   * after falling behind must not count the same restarts twice.
   */
  public static void checkTasks(Store store, List<Task> tasks, Map<String, Service> services, Handler handler,
      RestartSupervisor restarts, boolean rebuildHistory) {
    Map<SlotTuple, List<Task>> instances = new HashMap<>();
    StoreWrites.tryBatch(store, "check tasks at orchestrator start", batch -> {
      for (Task t : tasks) {
        if (t.getServiceId().isEmpty()) {
          continue;
        }
        Service service = services.get(t.getServiceId());
        if (service == null) {
          StoreWrites.tryUpdate(batch, "delete task " + t.getId() + " of a deleted service",
              tx -> StoreWrites.deleteTaskIfPresent(tx, t.getId()));
          continue;
        }
        if (!handler.isRelatedService(service)) {
          continue;
        }
        instances.computeIfAbsent(handler.slotTuple(t), k -> new ArrayList<>()).add(t);
        handler.fixTask(batch, t);

        // Desired READY is transient: the previous leader may not have started the replacement.
        if (t.getDesiredState() != TaskState.READY || TaskStates.isAfter(t.getStatus().getState(), TaskState.COMPLETE)) {
          continue;
        }
        Duration delay = Tasks.restartDelay(t);
        if (!delay.isZero()) {
          com.google.protobuf.Timestamp ts = Tasks.statusTimestamp(t);
          if (ts != null) {
            Duration remaining = Duration.between(Instant.now(), Tasks.toInstant(ts).plus(delay));
            if (remaining.compareTo(delay) < 0) {
              delay = remaining;
            }
            if (!delay.isNegative() && !delay.isZero()) {
              restarts.delayStart(null, t.getId(), delay, true);
              continue;
            }
          }
        }
        StoreWrites.tryUpdate(batch, "move task " + t.getId() + " out of delayed state",
            tx -> restarts.startNow(tx, t.getId()));
      }
    });

    if (!rebuildHistory) {
      return;
    }
    for (Map.Entry<SlotTuple, List<Task>> instance : instances.entrySet()) {
      // Only tasks of the newest spec version count as restarts of the current definition.
      long maxVersion = 0;
      for (Task t : instance.getValue()) {
        if (t.hasSpecVersion()) {
          maxVersion = Math.max(maxVersion, t.getSpecVersion().getIndex());
        }
      }
      List<Task> upToDate = new ArrayList<>();
      for (Task t : instance.getValue()) {
        if (t.hasSpecVersion() && t.getSpecVersion().getIndex() == maxVersion) {
          upToDate.add(t);
        }
      }
      upToDate.sort(Tasks.BY_CREATION);
      // Every up-to-date task but the first one replaced an earlier one.
      for (Task t : upToDate.subList(Math.min(1, upToDate.size()), upToDate.size())) {
        restarts.recordRestartHistory(instance.getKey(), t);
      }
    }
  }
}
