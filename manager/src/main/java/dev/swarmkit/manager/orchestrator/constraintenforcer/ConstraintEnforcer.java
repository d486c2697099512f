package dev.swarmkit.manager.orchestrator.constraintenforcer;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.PlacementConstraints;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a node changes (labels, role, resources...), rejects the tasks on it that no longer satisfy
 * their service's placement constraints or no longer fit its CPU/memory (upstream
 * constraintenforcer). Rejection sets the task's observed state to REJECTED rather than touching its
 * desired state, which the orchestrator owns: the orchestrator then replaces the task, through its
 * restart policy, and the scheduler places the replacement on a node that fits. Nodes that are not
 * ACTIVE are left alone: drained nodes are emptied by the orchestrators, paused ones keep their tasks.
 */
public final class ConstraintEnforcer extends WatchLoop {

  private final Store store;

  public ConstraintEnforcer(Store store) {
    super("constraint-enforcer");
    this.store = store;
  }

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<List<Node>> vw = store.viewAndWatch(tx -> tx.all(Table.NODES),
        e -> e.table() == Table.NODES && e.kind() == StoreEvent.Kind.UPDATE);
    vw.result().forEach(this::rejectNoncompliantTasks);
    return vw.subscription();
  }

  @Override
  protected void handle(StoreEvent event) {
    rejectNoncompliantTasks(Table.NODES.cast(event.newObject()));
  }

  private void rejectNoncompliantTasks(Node node) {
    if (node.getSpec().getAvailability() != NodeSpec.Availability.ACTIVE) {
      return;
    }
    Map<String, Service> services = new HashMap<>();
    List<Task> tasks = store.view(tx -> {
      List<Task> onNode = tx.find(Table.TASKS, By.nodeId(node.getId()));
      for (Task t : onNode) {
        if (!services.containsKey(t.getServiceId())) {
          services.put(t.getServiceId(), tx.get(Table.SERVICES, t.getServiceId()).orElse(null));
        }
      }
      return onNode;
    });
    Resources available = node.getDescription().getResources();
    long memory = available.getMemoryBytes();
    long cpus = available.getNanoCpus();
    Map<String, Task> reject = new LinkedHashMap<>();
    for (Task t : tasks) {
      if (TaskStates.isBefore(t.getDesiredState(), TaskState.ASSIGNED)
          || TaskStates.isAfter(t.getDesiredState(), TaskState.COMPLETE)) {
        continue;
      }
      // Completed tasks hold no reservations.
      if (TaskStates.isAtLeast(t.getStatus().getState(), TaskState.COMPLETE)) {
        continue;
      }
      // The service's current constraints win over the task's: a constraints-only service update
      // keeps the tasks (with their old constraints) on nodes that matched the new ones.
      Service service = services.get(t.getServiceId());
      Placement placement = service != null ? service.getSpec().getTask().getPlacement() : t.getSpec().getPlacement();
      if (placement.getConstraintsCount() > 0
          && !PlacementConstraints.parseLenient(placement.getConstraintsList()).matches(node)) {
        reject.put(t.getId(), t);
        continue;
      }
      if (t.getSpec().getResources().hasReservations()) {
        Resources r = t.getSpec().getResources().getReservations();
        if (r.getMemoryBytes() > memory || r.getNanoCpus() > cpus) {
          reject.put(t.getId(), t);
          continue;
        }
        memory -= r.getMemoryBytes();
        cpus -= r.getNanoCpus();
      }
      // Generic resources are not checked yet (no generic resource accounting in this port).
    }
    if (reject.isEmpty()) {
      return;
    }
    StoreWrites.tryBatch(store, "reject tasks on node " + node.getId(), batch -> {
      for (Task task : reject.values()) {
        StoreWrites.tryUpdate(batch, "reject task " + task.getId(), tx -> {
          Task t = tx.get(Table.TASKS, task.getId()).orElse(null);
          if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.COMPLETE)) {
            return;
          }
          tx.update(Table.TASKS, t.toBuilder().setStatus(t.getStatus().toBuilder()
              .setState(TaskState.REJECTED)
              .setMessage("task rejected by constraint enforcer")
              .setErr("assigned node no longer meets constraints")
              .setTimestamp(Tasks.now())).build());
        });
      }
    });
  }
}
