package dev.swarmkit.manager;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Task;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;

/**
 * One INFO line per state change of a node (status, role, availability) or a task (observed state),
 * written by the leader only, so each change is logged once in the swarm:
 * {@code node w1 (id) READY -> DOWN: heartbeat failure}, {@code task web.1 (id) on node id: PREPARING -> RUNNING}.
 */
final class StateChangeLog extends WatchLoop {

  private final Store store;

  StateChangeLog(Store store) {
    super("state-change-log");
    this.store = store;
  }

  @Override
  protected Subscription subscribe() {
    return store.watch(
        e -> e.kind() == StoreEvent.Kind.UPDATE && (e.table() == Table.NODES || e.table() == Table.TASKS));
  }

  @Override
  protected void handle(StoreEvent event) {
    if (event.table() == Table.NODES) {
      Node before = Table.NODES.cast(event.oldObject());
      Node after = Table.NODES.cast(event.newObject());
      if (before == null || after == null) {
        return;
      }
      String name = after.getDescription().getHostname().isEmpty()
          ? after.getSpec().getAnnotations().getName() : after.getDescription().getHostname();
      if (before.getStatus().getState() != after.getStatus().getState()) {
        String why = after.getStatus().getMessage();
        log.info("node {} ({}) {} -> {}{}", name, after.getId(), before.getStatus().getState(),
            after.getStatus().getState(), why.isEmpty() ? "" : ": " + why);
      }
      if (before.getRole() != after.getRole()) {
        log.info("node {} ({}) role {} -> {}", name, after.getId(), before.getRole(), after.getRole());
      }
      if (before.getSpec().getAvailability() != after.getSpec().getAvailability()) {
        log.info("node {} ({}) availability {} -> {}", name, after.getId(), before.getSpec().getAvailability(),
            after.getSpec().getAvailability());
      }
    } else {
      Task before = Table.TASKS.cast(event.oldObject());
      Task after = Table.TASKS.cast(event.newObject());
      if (before == null || after == null || before.getStatus().getState() == after.getStatus().getState()) {
        return;
      }
      String err = after.getStatus().getErr();
      log.info("task {} ({}) on node {}: {} -> {}{}", taskName(after), after.getId(),
          after.getNodeId().isEmpty() ? "-" : after.getNodeId(), before.getStatus().getState(),
          after.getStatus().getState(), err.isEmpty() ? "" : ": " + err);
    }
  }

  /** Upstream's task name: service.slot, or service.node for a global service's task. */
  private static String taskName(Task t) {
    String service = t.getServiceAnnotations().getName().isEmpty() ? t.getServiceId()
        : t.getServiceAnnotations().getName();
    return service + "." + (t.getSlot() != 0 ? Long.toString(t.getSlot()) : t.getNodeId());
  }
}
