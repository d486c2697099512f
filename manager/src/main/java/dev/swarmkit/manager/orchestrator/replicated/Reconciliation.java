package dev.swarmkit.manager.orchestrator.replicated;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.manager.orchestrator.update.UpdateSupervisor;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One service-level reconciliation of a replicated service (upstream replicated/services.go). */
final class Reconciliation {

  private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);
  static final int CREATIONS_BETWEEN_CALLS = 500;

  private final Store store;
  private final RestartSupervisor restarts;
  private final UpdateSupervisor updater;
  private final Cluster cluster;
  private final Service service;
  private final Runnable whileCreating;

  /**
   * {@code whileCreating} runs every {@link #CREATIONS_BETWEEN_CALLS} task creations (the
   * orchestrator moves its queued events aside, so a large scale-up does not overflow its watch).
   */
  Reconciliation(Store store, RestartSupervisor restarts, UpdateSupervisor updater, Cluster cluster, Service service,
      Runnable whileCreating) {
    this.store = store;
    this.restarts = restarts;
    this.updater = updater;
    this.cluster = cluster;
    this.service = service;
    this.whileCreating = whileCreating;
  }

  void run() {
    Map<Long, List<Task>> runningSlots = new TreeMap<>();
    Map<Long, List<Task>> deadSlots = new TreeMap<>();
    List<Task> tasks = store.view(tx -> tx.find(Table.TASKS, By.serviceId(service.getId())));
    for (Map.Entry<Long, List<Task>> slot : ReplicatedOrchestrator.tasksBySlot(tasks).entrySet()) {
      List<Task> updatable = restarts.updatableTasksInSlot(slot.getValue(), service);
      if (updatable.isEmpty()) {
        deadSlots.put(slot.getKey(), slot.getValue());
      } else {
        runningSlots.put(slot.getKey(), updatable);
      }
    }
    int numSlots = runningSlots.size();
    long specified = service.getSpec().getReplicated().getReplicas();
    List<List<Task>> slots = new ArrayList<>(runningSlots.values());

    if (specified > numSlots) {
      log.debug("service {} was scaled up from {} to {} instances", service.getId(), numSlots, specified);
      updater.update(cluster, service, slots);
      StoreWrites.tryBatch(store, "scale up service " + service.getId(), batch -> {
        addTasks(batch, runningSlots, deadSlots, specified - numSlots);
        deleteTasks(batch, deadSlots);
      });
    } else if (specified < numSlots) {
      log.debug("service {} was scaled down from {} to {} instances", service.getId(), numSlots, specified);
      List<List<Task>> ordered = orderForScaleDown(slots);
      updater.update(cluster, service, ordered.subList(0, (int) specified));
      StoreWrites.tryBatch(store, "scale down service " + service.getId(), batch -> {
        deleteTasks(batch, deadSlots);
        // Agents stop the removed tasks; the task reaper deletes them once they are down.
        setDesiredState(batch, ordered.subList((int) specified, ordered.size()), TaskState.REMOVE);
      });
    } else {
      StoreWrites.tryBatch(store, "clean dead slots of service " + service.getId(),
          batch -> deleteTasks(batch, deadSlots));
      updater.update(cluster, service, slots);
    }
  }

  /**
   * Orders slots so that the ones to keep come first: each task gets the index "nth task of this
   * service on its node", and lower indexes are kept, so removals hit the most loaded nodes; among
   * equals, running slots are kept before others and lower slot numbers before higher ones.
   * Unassigned (or multi-task) slots go last.
   */
  static List<List<Task>> orderForScaleDown(List<List<Task>> slots) {
    List<List<Task>> byPreference = new ArrayList<>(slots);
    byPreference.sort(Comparator.comparing((List<Task> s) -> !isRunning(s)).thenComparingLong(s -> s.get(0).getSlot()));
    Map<String, Integer> perNode = new HashMap<>();
    List<int[]> indexes = new ArrayList<>();
    for (int i = 0; i < byPreference.size(); i++) {
      List<Task> slot = byPreference.get(i);
      int index = -1;
      if (slot.size() == 1 && !slot.get(0).getNodeId().isEmpty()) {
        index = perNode.merge(slot.get(0).getNodeId(), 1, Integer::sum);
      }
      indexes.add(new int[] {i, index});
    }
    // Stable sort: ties keep the running-state/slot preference above.
    indexes.sort(Comparator.comparingInt((int[] a) -> a[1] < 0 ? Integer.MAX_VALUE : a[1]));
    List<List<Task>> ordered = new ArrayList<>();
    for (int[] a : indexes) {
      ordered.add(byPreference.get(a[0]));
    }
    return ordered;
  }

  private static boolean isRunning(List<Task> slot) {
    return slot.stream().anyMatch(t -> t.getStatus().getState() == TaskState.RUNNING);
  }

  private void addTasks(Store.Batch batch, Map<Long, List<Task>> runningSlots, Map<Long, List<Task>> deadSlots,
      long count) {
    long slot = 0;
    for (long i = 0; i < count; i++) {
      do {
        slot++;
      } while (runningSlots.containsKey(slot));
      // The dead tasks of a reused slot stay as its history; they are not deleted.
      deadSlots.remove(slot);
      Task task = Tasks.newTask(cluster, service, slot, "");
      StoreWrites.tryUpdate(batch, "create task for slot " + slot, tx -> tx.create(Table.TASKS, task));
      if ((i + 1) % CREATIONS_BETWEEN_CALLS == 0) {
        whileCreating.run();
      }
    }
  }

  private void setDesiredState(Store.Batch batch, List<List<Task>> slots, TaskState desired) {
    for (List<Task> slot : slots) {
      for (Task t : slot) {
        StoreWrites.tryUpdate(batch, "set task " + t.getId() + " desired state " + desired, tx -> {
          Task current = tx.get(Table.TASKS, t.getId()).orElse(null);
          if (current == null) {
            return;
          }
          if (TaskStates.isAfter(current.getDesiredState(), desired)) {
            log.warn("cannot update task {} in desired state {} to an earlier desired state {}", current.getId(),
                current.getDesiredState(), desired);
            return;
          }
          tx.update(Table.TASKS, current.toBuilder().setDesiredState(desired).build());
        });
      }
    }
  }

  private void deleteTasks(Store.Batch batch, Map<Long, List<Task>> slots) {
    for (List<Task> slot : slots.values()) {
      for (Task t : slot) {
        StoreWrites.tryUpdate(batch, "delete task " + t.getId(), tx -> StoreWrites.deleteTaskIfPresent(tx, t.getId()));
      }
    }
  }
}
