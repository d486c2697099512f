package dev.swarmkit.manager.orchestrator.update;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.manager.orchestrator.restart.RestartSupervisor;
import dev.swarmkit.store.Store;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps at most one rolling {@link Updater} per service (upstream update.Supervisor): a new request
 * for the same target spec is ignored, a request for a different spec cancels the running update.
 */
public final class UpdateSupervisor {

  private final Store store;
  private final RestartSupervisor restarts;
  private final Map<String, Updater> updates = new HashMap<>();
  private final ExecutorService threads;

  public UpdateSupervisor(Store store, RestartSupervisor restarts) {
    this.store = store;
    this.restarts = restarts;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "updater-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts updating {@code slots} (each the tasks of one slot or node) of {@code service} in the
   * background and returns immediately.
   */
  public synchronized void update(Cluster cluster, Service service, List<List<Task>> slots) {
    Updater running = updates.get(service.getId());
    if (running != null) {
      if (running.target().getSpec().equals(service.getSpec())) {
        return;
      }
      running.cancel();
    }
    Updater updater = new Updater(store, restarts, cluster, service, threads);
    updates.put(service.getId(), updater);
    threads.execute(() -> {
      try {
        updater.run(slots);
      } finally {
        synchronized (this) {
          updates.remove(service.getId(), updater);
        }
      }
    });
  }

  /** Cancels every running update (on loss of leadership). */
  public synchronized void cancelAll() {
    updates.values().forEach(Updater::cancel);
  }
}
