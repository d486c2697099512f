package dev.swarmkit.manager.orchestrator.global;

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
import dev.swarmkit.manager.orchestrator.TaskInit;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.manager.orchestrator.update.UpdateSupervisor;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one task of each global service on every node that is not drained or down and satisfies the
 * service's placement constraints (upstream orchestrator/global). New nodes get their tasks; tasks on
 * drained, down or deleted nodes, or on nodes that stopped matching, are shut down; paused nodes
 * keep what they run but get nothing new. Failed tasks are restarted on the same node.
 */
public final class GlobalOrchestrator extends WatchLoop implements TaskInit.Handler {

  private final Store store;
  private final RestartSupervisor restarts;
  private final UpdateSupervisor updater;
  /** Nodes that may run tasks (not drained, not down), by ID. */
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<String, GlobalService> services = new LinkedHashMap<>();
  private final Set<String> restartTasks = new LinkedHashSet<>();
  private Cluster cluster;
  /** Whether the first subscription of this term has been made (later ones follow a dropped watch). */
  private boolean initialized;

  private record GlobalService(Service service, PlacementConstraints constraints) {}

  private record Snapshot(List<Node> nodes, Map<String, Service> services, List<Task> tasks, Cluster cluster) {}

  public GlobalOrchestrator(Store store) {
    this(store, new RestartSupervisor(store));
  }

  public GlobalOrchestrator(Store store, RestartSupervisor restarts) {
    super("global-orchestrator");
    this.store = store;
    this.restarts = restarts;
    this.updater = new UpdateSupervisor(store, restarts);
  }

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(tx -> {
      Map<String, Service> all = new LinkedHashMap<>();
      tx.all(Table.SERVICES).forEach(s -> all.put(s.getId(), s));
      return new Snapshot(tx.all(Table.NODES), all, tx.all(Table.TASKS), ClusterObjects.defaultCluster(tx));
    }, e -> e.table() == Table.TASKS || e.table() == Table.SERVICES || e.table() == Table.NODES
        || e.table() == Table.CLUSTERS);
    Snapshot snapshot = vw.result();
    cluster = snapshot.cluster();
    nodes.clear();
    services.clear();
    restartTasks.clear();
    snapshot.nodes().forEach(this::updateNode);
    List<String> reconcile = new ArrayList<>();
    for (Service s : snapshot.services().values()) {
      if (Services.isGlobal(s)) {
        updateService(s);
        reconcile.add(s.getId());
      }
    }
    TaskInit.checkTasks(store, snapshot.tasks(), snapshot.services(), this, restarts, !initialized);
    initialized = true;
    tickTasks();
    reconcileServices(reconcile);
    return vw.subscription();
  }

  @Override
  protected void handle(StoreEvent event) {
    if (event.table() == Table.CLUSTERS && event.kind() != StoreEvent.Kind.DELETE) {
      Cluster c = Table.CLUSTERS.cast(event.newObject());
      if (ClusterObjects.DEFAULT_CLUSTER_NAME.equals(c.getSpec().getAnnotations().getName())) {
        cluster = c;
      }
    } else if (event.table() == Table.SERVICES) {
      Service s = Table.SERVICES.cast(event.object());
      if (Services.isGlobal(s)) {
        if (event.kind() == StoreEvent.Kind.DELETE) {
          Services.setTasksRemove(store, s.getId());
          services.remove(s.getId());
          restarts.clearServiceHistory(s.getId());
        } else {
          updateService(s);
          reconcileServices(List.of(s.getId()));
        }
      }
    } else if (event.table() == Table.NODES) {
      Node n = Table.NODES.cast(event.object());
      if (event.kind() == StoreEvent.Kind.DELETE) {
        forEachTaskOnNode(n.getId(), this::deleteTask);
        nodes.remove(n.getId());
      } else {
        updateNode(n);
        reconcileOneNode(n);
      }
    } else if (event.table() == Table.TASKS && event.kind() == StoreEvent.Kind.UPDATE) {
      handleTaskChange(Table.TASKS.cast(event.newObject()));
    }
    tickTasks();
  }

  @Override
  protected void onStopped() {
    updater.cancelAll();
    restarts.cancelAll();
  }

  @Override
  public boolean isRelatedService(Service service) {
    return Services.isGlobal(service);
  }

  @Override
  public SlotTuple slotTuple(Task t) {
    return SlotTuple.global(t.getServiceId(), t.getNodeId());
  }

  @Override
  public void fixTask(Store.Batch batch, Task t) {
    if (!services.containsKey(t.getServiceId()) || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
      return;
    }
    Node node = t.getNodeId().isEmpty() ? null : nodes.get(t.getNodeId());
    if (t.getNodeId().isEmpty() || Tasks.invalidNode(node)) {
      shutdownTask(batch, t);
      return;
    }
    if (TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING)) {
      restartTasks.add(t.getId());
    }
  }

  private void handleTaskChange(Task t) {
    if (!services.containsKey(t.getServiceId()) || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
      return;
    }
    if (TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING)) {
      restartTasks.add(t.getId());
    }
  }

  private void updateNode(Node node) {
    if (node.getSpec().getAvailability() == NodeSpec.Availability.DRAIN
        || node.getStatus().getState() == NodeStatus.State.DOWN) {
      nodes.remove(node.getId());
    } else {
      nodes.put(node.getId(), node);
    }
  }

  private void updateService(Service service) {
    services.put(service.getId(), new GlobalService(service,
        PlacementConstraints.parseLenient(service.getSpec().getTask().getPlacement().getConstraintsList())));
  }

  private interface TaskAction {
    void apply(Store.Batch batch, Task task);
  }

  private void forEachTaskOnNode(String nodeId, TaskAction action) {
    List<Task> tasks = store.view(tx -> tx.find(Table.TASKS, By.nodeId(nodeId)));
    StoreWrites.tryBatch(store, "act on tasks of node " + nodeId, batch -> {
      for (Task t : tasks) {
        // Only tasks of global services are this orchestrator's business.
        if (services.containsKey(t.getServiceId())) {
          action.apply(batch, t);
        }
      }
    });
  }

  private void reconcileServices(List<String> serviceIds) {
    Map<String, Map<String, List<Task>>> nodeTasks = new HashMap<>();
    store.read(tx -> {
      for (String id : serviceIds) {
        GlobalService gs = services.get(id);
        if (gs == null) {
          continue;
        }
        Map<String, List<Task>> byNode = new LinkedHashMap<>();
        for (Task t : tx.find(Table.TASKS, By.serviceId(id))) {
          byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t);
        }
        // Keep runnable tasks, and stopped ones that will not be restarted but may need updating.
        byNode.replaceAll((node, slot) -> restarts.updatableTasksInSlot(slot, gs.service()));
        byNode.values().removeIf(List::isEmpty);
        nodeTasks.put(id, byNode);
      }
    });
    Map<Service, List<List<Task>>> updates = new LinkedHashMap<>();
    StoreWrites.tryBatch(store, "reconcile global services", batch -> {
      for (String id : serviceIds) {
        Map<String, List<Task>> byNode = nodeTasks.get(id);
        if (byNode == null) {
          continue;
        }
        GlobalService gs = services.get(id);
        List<List<Task>> toUpdate = new ArrayList<>();
        for (Node node : nodes.values()) {
          List<Task> tasks = byNode.remove(node.getId());
          if (!gs.constraints().matches(node)) {
            shutdownTasks(batch, tasks);
            continue;
          }
          if (node.getSpec().getAvailability() == NodeSpec.Availability.PAUSE) {
            continue;
          }
          if (tasks == null || tasks.isEmpty()) {
            addTask(batch, gs.service(), node.getId());
          } else {
            toUpdate.add(tasks);
          }
        }
        if (!toUpdate.isEmpty()) {
          updates.put(gs.service(), toUpdate);
        }
        // What is left runs on drained, down or unknown nodes.
        for (List<Task> tasks : byNode.values()) {
          shutdownTasks(batch, tasks);
        }
      }
    });
    updates.forEach((service, slots) -> updater.update(cluster, service, slots));
  }

  private void reconcileOneNode(Node node) {
    if (node.getSpec().getAvailability() == NodeSpec.Availability.DRAIN) {
      log.debug("node {} in drain state, shutting down its tasks", node.getId());
      forEachTaskOnNode(node.getId(), this::shutdownTask);
      return;
    }
    if (node.getStatus().getState() == NodeStatus.State.DOWN) {
      log.debug("node {} is down, shutting down its tasks", node.getId());
      forEachTaskOnNode(node.getId(), this::shutdownTask);
      return;
    }
    if (node.getSpec().getAvailability() == NodeSpec.Availability.PAUSE || !nodes.containsKey(node.getId())) {
      return;
    }
    List<Task> onNode = store.view(tx -> tx.find(Table.TASKS, By.nodeId(node.getId())));
    StoreWrites.tryBatch(store, "reconcile node " + node.getId(), batch -> {
      for (GlobalService gs : services.values()) {
        if (!gs.constraints().matches(node)) {
          continue;
        }
        List<Task> slot = new ArrayList<>();
        for (Task t : onNode) {
          if (t.getServiceId().equals(gs.service().getId())) {
            slot.add(t);
          }
        }
        List<Task> tasks = restarts.updatableTasksInSlot(slot, gs.service());
        if (tasks.isEmpty()) {
          addTask(batch, gs.service(), node.getId());
          continue;
        }
        // Not a rolling update (it was not triggered by a service change): outdated tasks, e.g.
        // from a service update while the node was paused, are replaced at once.
        List<Task> dirty = new ArrayList<>();
        List<Task> clean = new ArrayList<>();
        for (Task t : tasks) {
          (Tasks.isTaskDirty(gs.service(), t, node) ? dirty : clean).add(t);
        }
        if (clean.isEmpty()) {
          addTask(batch, gs.service(), node.getId());
        } else {
          dirty.addAll(clean.subList(1, clean.size()));
        }
        shutdownTasks(batch, dirty);
      }
    });
  }

  private void tickTasks() {
    if (restartTasks.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(restartTasks);
    restartTasks.clear();
    StoreWrites.tryBatch(store, "restart global tasks", batch -> {
      for (String id : ids) {
        StoreWrites.tryUpdate(batch, "restart task " + id, tx -> {
          Task t = tx.get(Table.TASKS, id).orElse(null);
          if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
            return;
          }
          Service service = tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
          Node node = nodes.get(t.getNodeId());
          GlobalService gs = services.get(t.getServiceId());
          if (service == null || node == null || gs == null) {
            return;
          }
          if (node.getSpec().getAvailability() == NodeSpec.Availability.PAUSE || !gs.constraints().matches(node)) {
            tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
            return;
          }
          restarts.restart(tx, cluster, service, t);
        });
      }
    });
  }

  private void shutdownTask(Store.Batch batch, Task task) {
    StoreWrites.tryUpdate(batch, "shut down task " + task.getId(), tx -> {
      Task t = tx.get(Table.TASKS, task.getId()).orElse(null);
      if (t != null && TaskStates.isBefore(t.getDesiredState(), TaskState.SHUTDOWN)) {
        tx.update(Table.TASKS, t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
      }
    });
  }

  private void shutdownTasks(Store.Batch batch, List<Task> tasks) {
    if (tasks != null) {
      tasks.forEach(t -> shutdownTask(batch, t));
    }
  }

  private void addTask(Store.Batch batch, Service service, String nodeId) {
    Task task = Tasks.newTask(cluster, service, 0, nodeId);
    StoreWrites.tryUpdate(batch, "create global task on node " + nodeId, tx -> {
      if (tx.get(Table.SERVICES, service.getId()).isPresent()) {
        tx.create(Table.TASKS, task);
      }
    });
  }

  private void deleteTask(Store.Batch batch, Task task) {
    StoreWrites.tryUpdate(batch, "delete task " + task.getId(), tx -> StoreWrites.deleteTaskIfPresent(tx, task.getId()));
  }
}
