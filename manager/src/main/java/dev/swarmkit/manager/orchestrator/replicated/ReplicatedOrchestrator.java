package dev.swarmkit.manager.orchestrator.replicated;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.ClusterObjects;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps each replicated service at exactly {@code replicas} runnable tasks, one per slot 1..N
 * (upstream orchestrator/replicated). Task-level: replaces tasks that stopped or whose node is down,
 * drained or deleted, through the {@link RestartSupervisor}. Service-level: on every committed change
 * it reconciles the services touched, adding tasks for missing slots, setting desired REMOVE on the
 * surplus (preferring the nodes with the most tasks of the service, then non-running tasks, then the
 * highest slots), deleting dead slots, and rolling outdated tasks through the updater.
 */
public final class ReplicatedOrchestrator extends WatchLoop implements TaskInit.Handler {

  private final Store store;
  private final RestartSupervisor restarts;
  private final UpdateSupervisor updater;
  private final Map<String, Service> reconcileServices = new LinkedHashMap<>();
  private final Set<String> restartTasks = new LinkedHashSet<>();
  private Cluster cluster;
  /** Whether the first subscription of this term has been made (later ones follow a dropped watch). */
  private boolean initialized;

  public ReplicatedOrchestrator(Store store) {
    this(store, new RestartSupervisor(store));
  }

  /** With a supervisor configured by the caller (e.g. a shorter old-task timeout in tests). */
  public ReplicatedOrchestrator(Store store, RestartSupervisor restarts) {
    super("replicated-orchestrator");
    this.store = store;
    this.restarts = restarts;
    this.updater = new UpdateSupervisor(store, restarts);
  }

  private record Snapshot(List<Task> tasks, Map<String, Service> services, Cluster cluster) {}

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(tx -> {
      Map<String, Service> services = new LinkedHashMap<>();
      tx.all(Table.SERVICES).forEach(s -> services.put(s.getId(), s));
      return new Snapshot(tx.all(Table.TASKS), services, ClusterObjects.defaultCluster(tx));
    }, ReplicatedOrchestrator::relevant);
    Snapshot snapshot = vw.result();
    cluster = snapshot.cluster();
    reconcileServices.clear();
    restartTasks.clear();
    TaskInit.checkTasks(store, snapshot.tasks(), snapshot.services(), this, restarts, !initialized);
    initialized = true;
    for (Service s : snapshot.services().values()) {
      if (Services.isReplicated(s)) {
        reconcileServices.put(s.getId(), s);
      }
    }
    return vw.subscription();
  }

  @Override
  protected void afterSubscribe() {
    tick();
  }

  private static boolean relevant(StoreEvent e) {
    return e.kind() == StoreEvent.Kind.COMMIT || e.table() == Table.TASKS || e.table() == Table.SERVICES
        || e.table() == Table.NODES || e.table() == Table.CLUSTERS;
  }

  @Override
  protected void handle(StoreEvent event) {
    if (event.kind() == StoreEvent.Kind.COMMIT) {
      tick();
      return;
    }
    if (event.table() == Table.NODES) {
      Node node = Table.NODES.cast(event.object());
      if (event.kind() == StoreEvent.Kind.DELETE || Tasks.invalidNode(node)) {
        restartTasksByNodeId(node.getId());
      }
    } else if (event.table() == Table.TASKS) {
      handleTaskEvent(event);
    } else if (event.table() == Table.SERVICES) {
      handleServiceEvent(event);
    } else if (event.table() == Table.CLUSTERS && event.kind() != StoreEvent.Kind.DELETE) {
      Cluster c = Table.CLUSTERS.cast(event.newObject());
      if (ClusterObjects.DEFAULT_CLUSTER_NAME.equals(c.getSpec().getAnnotations().getName())) {
        cluster = c;
      }
    }
  }

  @Override
  protected void onStopped() {
    updater.cancelAll();
    restarts.cancelAll();
  }

  private void handleTaskEvent(StoreEvent event) {
    Task task = Table.TASKS.cast(event.object());
    if (event.kind() == StoreEvent.Kind.DELETE) {
      if (TaskStates.isAtMost(task.getDesiredState(), TaskState.RUNNING)) {
        Service service = resolveService(task);
        if (Services.isReplicated(service)) {
          reconcileServices.put(service.getId(), service);
        }
      }
      restarts.cancel(task.getId());
      return;
    }
    handleTaskChange(task);
  }

  private void handleServiceEvent(StoreEvent event) {
    Service service = Table.SERVICES.cast(event.object());
    if (!Services.isReplicated(service)) {
      return;
    }
    if (event.kind() == StoreEvent.Kind.DELETE) {
      Services.setTasksRemove(store, service.getId());
      restarts.clearServiceHistory(service.getId());
      reconcileServices.remove(service.getId());
    } else {
      reconcileServices.put(service.getId(), service);
    }
  }

  /** A task changed (usually its status, reported by an agent): replace it if it stopped. */
  private void handleTaskChange(Task t) {
    if (TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
      return;
    }
    Node[] node = new Node[1];
    Service service = store.view(tx -> {
      if (!t.getNodeId().isEmpty()) {
        node[0] = tx.get(Table.NODES, t.getNodeId()).orElse(null);
      }
      return t.getServiceId().isEmpty() ? null : tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
    });
    if (!Services.isReplicated(service)) {
      return;
    }
    if (TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING)
        || (!t.getNodeId().isEmpty() && Tasks.invalidNode(node[0]))) {
      restartTasks.add(t.getId());
    }
  }

  @Override
  public void fixTask(Store.Batch batch, Task t) {
    handleTaskChange(t);
  }

  @Override
  public boolean isRelatedService(Service service) {
    return Services.isReplicated(service);
  }

  @Override
  public SlotTuple slotTuple(Task t) {
    return SlotTuple.replicated(t.getServiceId(), t.getSlot());
  }

  private void restartTasksByNodeId(String nodeId) {
    store.read(tx -> {
      for (Task t : tx.find(Table.TASKS, By.nodeId(nodeId))) {
        if (TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
          continue;
        }
        Service service = tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
        if (Services.isReplicated(service)) {
          restartTasks.add(t.getId());
        }
      }
    });
  }

  private Service resolveService(Task task) {
    if (task.getServiceId().isEmpty()) {
      return null;
    }
    return store.view(tx -> tx.get(Table.SERVICES, task.getServiceId()).orElse(null));
  }

  /** Task-level changes first, so service reconciliation sees their outcome. */
  private void tick() {
    tickTasks();
    tickServices();
  }

  private void tickTasks() {
    if (restartTasks.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(restartTasks);
    restartTasks.clear();
    StoreWrites.tryBatch(store, "restart tasks", batch -> {
      for (String id : ids) {
        StoreWrites.tryUpdate(batch, "restart task " + id, tx -> {
          Task t = tx.get(Table.TASKS, id).orElse(null);
          if (t == null || TaskStates.isAfter(t.getDesiredState(), TaskState.RUNNING)) {
            return;
          }
          Service service = tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
          if (!Services.isReplicated(service)) {
            return;
          }
          restarts.restart(tx, cluster, service, t);
        });
      }
    });
  }

  private void tickServices() {
    if (reconcileServices.isEmpty()) {
      return;
    }
    List<Service> services = new ArrayList<>(reconcileServices.values());
    reconcileServices.clear();
    for (Service s : services) {
      new Reconciliation(store, restarts, updater, cluster, s, this::deferQueuedEvents).run();
    }
  }

  /** Groups a service's tasks by slot number, in slot order. */
  static Map<Long, List<Task>> tasksBySlot(List<Task> tasks) {
    Map<Long, List<Task>> slots = new TreeMap<>();
    for (Task t : tasks) {
      slots.computeIfAbsent(t.getSlot(), k -> new ArrayList<>()).add(t);
    }
    return slots;
  }
}
