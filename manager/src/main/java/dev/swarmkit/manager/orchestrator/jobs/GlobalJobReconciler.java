package dev.swarmkit.manager.orchestrator.jobs;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.ClusterObjects;
import dev.swarmkit.manager.orchestrator.PlacementConstraints;
import dev.swarmkit.manager.orchestrator.Services;
import dev.swarmkit.manager.orchestrator.SlotTuple;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Global jobs (upstream jobs/global): runs one task of the current iteration to completion on every
 * ready, active node matching the placement constraints. A node that has a task of this iteration
 * (running, completed or failed) gets no other; failed ones are handed to the restart supervisor.
 * Tasks on drained or down nodes are shut down; tasks of earlier iterations are removed.
 */
final class GlobalJobReconciler implements JobReconciler {

  private final Store store;
  private final RestartSupervisor restarts;

  GlobalJobReconciler(Store store, RestartSupervisor restarts) {
    this.store = store;
    this.restarts = restarts;
  }

  private record State(Service service, List<Task> tasks, List<Node> nodes, Cluster cluster) {}

  @Override
  public void reconcileService(String serviceId) {
    State state = store.view(tx -> {
      Service service = tx.get(Table.SERVICES, serviceId).orElse(null);
      return service == null ? null
          : new State(service, tx.find(Table.TASKS, By.serviceId(serviceId)), tx.all(Table.NODES),
              ClusterObjects.defaultCluster(tx));
    });
    if (state == null || !Services.isGlobalJob(state.service())) {
      return;
    }
    Service service = state.service();
    long iteration = JobTasks.iteration(service);
    PlacementConstraints constraints =
        PlacementConstraints.parseLenient(service.getSpec().getTask().getPlacement().getConstraintsList());

    List<String> candidates = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (Node node : state.nodes()) {
      if (!constraints.matches(node)) {
        continue;
      }
      if (Tasks.invalidNode(node)) {
        invalid.add(node.getId());
      } else if (node.getSpec().getAvailability() == NodeSpec.Availability.ACTIVE
          && node.getStatus().getState() == NodeStatus.State.READY) {
        candidates.add(node.getId());
      }
    }

    Map<String, String> taskByNode = new HashMap<>();
    List<String> restart = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    for (Task t : state.tasks()) {
      if (!t.hasJobIteration()) {
        continue;
      }
      if (!JobTasks.ofIteration(t, iteration)) {
        if (t.getDesiredState() != TaskState.REMOVE) {
          remove.add(t.getId());
        }
        continue;
      }
      if (TaskStates.isAtMost(t.getDesiredState(), TaskState.COMPLETE)) {
        if (TaskStates.isAfter(t.getStatus().getState(), TaskState.COMPLETE)) {
          restart.add(t.getId());
        }
        taskByNode.put(t.getNodeId(), t.getId());
      }
    }

    List<String> shutdown = new ArrayList<>();
    for (String nodeId : invalid) {
      String taskId = taskByNode.get(nodeId);
      if (taskId != null) {
        shutdown.add(taskId);
      }
    }

    StoreWrites.tryBatch(store, "reconcile global job " + serviceId, batch -> {
      for (String nodeId : candidates) {
        if (!taskByNode.containsKey(nodeId)) {
          JobTasks.create(batch, JobTasks.newJobTask(state.cluster(), service, 0, nodeId));
        }
      }
      JobTasks.restart(batch, restarts, state.cluster(), service, restart);
      JobTasks.setDesired(batch, remove, TaskState.REMOVE);
      shutdownUnfinished(batch, shutdown);
    });
  }

  /** Shuts down tasks on nodes that can no longer run them, unless they already finished. */
  private static void shutdownUnfinished(Store.Batch batch, List<String> taskIds) {
    for (String id : taskIds) {
      StoreWrites.tryUpdate(batch, "shut down job task " + id + " on an invalid node", tx -> {
        Task t = tx.get(Table.TASKS, id).orElse(null);
        if (t != null && TaskStates.isAtMost(t.getStatus().getState(), TaskState.RUNNING)
            && TaskStates.isBefore(t.getDesiredState(), TaskState.SHUTDOWN)) {
          tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
        }
      });
    }
  }

  @Override
  public boolean isRelatedService(Service service) {
    return Services.isGlobalJob(service);
  }

  /**
   * Shuts down unfinished tasks whose node went away, drained or down while no leader was watching.
   * Failed tasks are left to the reconciliation pass that follows the start.
   */
  @Override
  public void fixTask(Store.Batch batch, Task task) {
    if (TaskStates.isAfter(task.getDesiredState(), TaskState.COMPLETE)) {
      return;
    }
    StoreWrites.tryUpdate(batch, "shut down job task " + task.getId() + " on an invalid node", tx -> {
      Node node = task.getNodeId().isEmpty() ? null : tx.get(Table.NODES, task.getNodeId()).orElse(null);
      if (!Tasks.invalidNode(node)) {
        return;
      }
      Task t = tx.get(Table.TASKS, task.getId()).orElse(null);
      // A completed task stays as it is, so the node does not run the job again when it returns.
      if (t != null && TaskStates.isAtMost(t.getStatus().getState(), TaskState.RUNNING)
          && TaskStates.isBefore(t.getDesiredState(), TaskState.SHUTDOWN)) {
        tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
      }
    });
  }

  @Override
  public SlotTuple slotTuple(Task task) {
    return SlotTuple.global(task.getServiceId(), task.getNodeId());
  }
}
