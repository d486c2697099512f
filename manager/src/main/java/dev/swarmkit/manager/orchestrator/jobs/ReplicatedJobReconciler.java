package dev.swarmkit.manager.orchestrator.jobs;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ReplicatedJob;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.ClusterObjects;
import dev.swarmkit.manager.orchestrator.Services;
import dev.swarmkit.manager.orchestrator.SlotTuple;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replicated jobs (upstream jobs/replicated): runs tasks of the current iteration until
 * {@code total_completions} of them have completed, never more than {@code max_concurrent} at once.
 * Each task of an iteration gets its own slot, so a finished iteration has one completed task in each
 * slot 0..total_completions-1, and a failed task is replaced in its slot by the restart supervisor.
 * Tasks of earlier iterations still running are removed.
 */
final class ReplicatedJobReconciler implements JobReconciler {

  private final Store store;
  private final RestartSupervisor restarts;

  ReplicatedJobReconciler(Store store, RestartSupervisor restarts) {
    this.store = store;
    this.restarts = restarts;
  }

  private record State(Service service, List<Task> tasks, Cluster cluster) {}

  @Override
  public void reconcileService(String serviceId) {
    State state = store.view(tx -> {
      Service service = tx.get(Table.SERVICES, serviceId).orElse(null);
      return service == null ? null
          : new State(service, tx.find(Table.TASKS, By.serviceId(serviceId)), ClusterObjects.defaultCluster(tx));
    });
    if (state == null || !Services.isReplicatedJob(state.service())) {
      return;
    }
    Service service = state.service();
    long iteration = JobTasks.iteration(service);

    long running = 0;
    long complete = 0;
    Set<Long> occupiedSlots = new HashSet<>();
    List<String> restart = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    for (Task t : state.tasks()) {
      if (!t.hasJobIteration()) {
        continue;
      }
      TaskState observed = t.getStatus().getState();
      if (!JobTasks.ofIteration(t, iteration)) {
        if (TaskStates.isAtMost(observed, TaskState.RUNNING) && t.getDesiredState() != TaskState.REMOVE) {
          remove.add(t.getId());
        }
        continue;
      }
      if (observed == TaskState.COMPLETE) {
        complete++;
        occupiedSlots.add(t.getSlot());
      } else if (TaskStates.isAtMost(t.getDesiredState(), TaskState.COMPLETE)) {
        // Includes replacements the restart supervisor holds in desired READY, and failed tasks
        // not yet handed to it: both still occupy their slot and count against max_concurrent.
        running++;
        occupiedSlots.add(t.getSlot());
        if (TaskStates.isAfter(observed, TaskState.COMPLETE)) {
          restart.add(t.getId());
        }
      }
    }

    ReplicatedJob job = service.getSpec().getReplicatedJob();
    long total = Math.max(0, job.getTotalCompletions());
    long wanted = Math.min(Math.max(0, job.getMaxConcurrent()) - running, total - complete - running);

    List<Task> created = new ArrayList<>();
    long slot = 0;
    for (long i = 0; i < wanted; i++) {
      while (occupiedSlots.contains(slot)) {
        slot++;
      }
      occupiedSlots.add(slot);
      created.add(JobTasks.newJobTask(state.cluster(), service, slot, ""));
    }

    StoreWrites.tryBatch(store, "reconcile replicated job " + serviceId, batch -> {
      created.forEach(t -> JobTasks.create(batch, t));
      JobTasks.restart(batch, restarts, state.cluster(), service, restart);
      JobTasks.setDesired(batch, remove, TaskState.REMOVE);
    });
  }

  @Override
  public boolean isRelatedService(Service service) {
    return Services.isReplicatedJob(service);
  }

  /** Nothing to fix task by task: the reconciliation pass after start restarts what failed. */
  @Override
  public void fixTask(Store.Batch batch, Task task) {}

  @Override
  public SlotTuple slotTuple(Task task) {
    return SlotTuple.replicated(task.getServiceId(), task.getSlot());
  }
}
