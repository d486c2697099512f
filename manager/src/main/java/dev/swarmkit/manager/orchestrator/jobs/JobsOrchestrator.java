package dev.swarmkit.manager.orchestrator.jobs;

import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Services;
import dev.swarmkit.manager.orchestrator.TaskInit;
import dev.swarmkit.manager.orchestrator.TaskStates;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs services in ReplicatedJob and GlobalJob mode to completion (upstream orchestrator/jobs): one
 * loop for both job kinds, which reconciles a job service whenever it is created or updated (an
 * update moves it to a new job iteration, whose tasks then run) and whenever one of its tasks stops
 * while still desired to complete. Completed tasks are kept, failed ones are restarted per their
 * restart policy, tasks of a deleted job are removed. Services and global services are the other
 * orchestrators' business.
 */
public final class JobsOrchestrator extends WatchLoop {

  private final Store store;
  private final RestartSupervisor restarts;
  private final JobReconciler replicated;
  private final JobReconciler global;
  /** Whether the first subscription of this term has been made (later ones follow a dropped watch). */
  private boolean initialized;

  private record Snapshot(Map<String, Service> services, List<Task> tasks) {}

  public JobsOrchestrator(Store store) {
    this(store, new RestartSupervisor(store));
  }

  public JobsOrchestrator(Store store, RestartSupervisor restarts) {
    super("jobs-orchestrator");
    this.store = store;
    this.restarts = restarts;
    this.replicated = new ReplicatedJobReconciler(store, restarts);
    this.global = new GlobalJobReconciler(store, restarts);
  }

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(tx -> {
      Map<String, Service> services = new LinkedHashMap<>();
      tx.all(Table.SERVICES).forEach(s -> services.put(s.getId(), s));
      return new Snapshot(services, tx.all(Table.TASKS));
    }, e -> e.table() == Table.SERVICES || (e.table() == Table.TASKS && e.kind() == StoreEvent.Kind.UPDATE));
    Snapshot snapshot = vw.result();
    // Resumes delayed restarts a previous leader left pending; failed tasks are restarted by the
    // reconciliation pass below rather than here.
    TaskInit.checkTasks(store, snapshot.tasks(), snapshot.services(), replicated, restarts, !initialized);
    TaskInit.checkTasks(store, snapshot.tasks(), snapshot.services(), global, restarts, !initialized);
    initialized = true;
    snapshot.services().values().forEach(this::reconcile);
    return vw.subscription();
  }

  @Override
  protected void handle(StoreEvent event) {
    if (event.table() == Table.SERVICES) {
      Service s = Table.SERVICES.cast(event.object());
      if (!isJob(s)) {
        return;
      }
      if (event.kind() == StoreEvent.Kind.DELETE) {
        Services.setTasksRemove(store, s.getId());
        restarts.clearServiceHistory(s.getId());
      } else {
        reconcile(Table.SERVICES.cast(event.newObject()));
      }
    } else if (event.table() == Table.TASKS) {
      Task t = Table.TASKS.cast(event.newObject());
      // Only a task that stopped while it should still run to completion can change what is needed.
      if (TaskStates.isAfter(t.getStatus().getState(), TaskState.RUNNING)
          && TaskStates.isAtMost(t.getDesiredState(), TaskState.COMPLETE)) {
        store.view(tx -> tx.get(Table.SERVICES, t.getServiceId())).ifPresent(this::reconcile);
      }
    }
  }

  @Override
  protected void onStopped() {
    restarts.cancelAll();
  }

  private static boolean isJob(Service s) {
    return Services.isReplicatedJob(s) || Services.isGlobalJob(s);
  }

  private void reconcile(Service service) {
    try {
      if (Services.isReplicatedJob(service)) {
        replicated.reconcileService(service.getId());
      } else if (Services.isGlobalJob(service)) {
        global.reconcileService(service.getId());
      }
    } catch (RuntimeException e) {
      log.error("error reconciling job service {}", service.getId(), e);
    }
  }
}
