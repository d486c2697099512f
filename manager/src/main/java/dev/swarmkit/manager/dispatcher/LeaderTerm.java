package dev.swarmkit.manager.dispatcher;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.WeightedPeer;
import dev.swarmkit.manager.dispatcher.RegisteredNodes.RegisteredNode;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's state for one leadership term: registered nodes and their heartbeat deadlines,
 * nodes that went down, buffered status updates, and the cluster-wide values sent in sessions. One
 * event-loop thread commits buffered updates, follows cluster changes and polls the manager list.
 */
final class LeaderTerm {

  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);
  private static final Duration MANAGER_POLL = Duration.ofSeconds(1);
  static final String DEFAULT_CLUSTER_NAME = "default";

  private final Store store;
  private final DispatcherOptions options;
  private final ManagerList managerList;
  private final ScheduledExecutorService timers;
  final RegisteredNodes nodes;
  final PendingUpdates pending = new PendingUpdates();
  final AssignmentStreams assignments;
  private final Map<String, ScheduledFuture<?>> downNodes = new HashMap<>();
  private Thread loop;
  private volatile boolean running = true;
  /** Whether the last flush failed (logged once per outage, not once per retry). */
  private boolean commitsFailing;

  private volatile Duration heartbeatPeriod;
  private volatile List<WeightedPeer> managers = List.of();
  private volatile List<EncryptionKey> networkBootstrapKeys = List.of();
  private volatile ByteString rootCa = ByteString.EMPTY;

  LeaderTerm(Store store, DispatcherOptions options, ManagerList managerList) {
    this.store = store;
    this.options = options;
    this.managerList = managerList;
    this.heartbeatPeriod = options.heartbeatPeriod();
    java.util.concurrent.ScheduledThreadPoolExecutor stpe = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "dispatcher-timers");
      t.setDaemon(true);
      return t;
    });
    // On stop, pending timers are dropped but the streams' final messages already queued still go out.
    stpe.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    stpe.setRemoveOnCancelPolicy(true);
    this.timers = stpe;
    this.nodes = new RegisteredNodes(timers,
        new PeriodChooser(options.heartbeatPeriod(), options.heartbeatEpsilon()),
        options.gracePeriodMultiplier(), options.rateLimitPeriod());
    this.assignments = new AssignmentStreams(store, nodes);
  }

  /** Where Session streams send their messages and react to changes: the term's timer thread. */
  java.util.concurrent.Executor streamExecutor() {
    return timers;
  }

  boolean running() {
    return running;
  }

  /**
   * The managers as Raft knows them now, for a session message. Read afresh rather than from the
   * once-a-second poll (which only pushes changes to open sessions): a worker registering just after
   * managers joined would otherwise learn only this leader, and if this leader then died it would
   * know no other manager to turn to.
   */
  List<WeightedPeer> managers() {
    try {
      return List.copyOf(managerList.managers());
    } catch (RuntimeException e) {
      return managers;
    }
  }

  List<EncryptionKey> networkBootstrapKeys() {
    return networkBootstrapKeys;
  }

  ByteString rootCa() {
    return rootCa;
  }

  /** Marks known nodes UNKNOWN (giving them a grace period to reconnect) and starts the loop. */
  void start() {
    Subscription clusterWatch = store.viewAndWatch(tx -> {
      for (Cluster c : tx.find(Table.CLUSTERS, By.name(DEFAULT_CLUSTER_NAME))) {
        applyCluster(c);
      }
      return null;
    }, e -> e.table() == Table.CLUSTERS && e.kind() == StoreEvent.Kind.UPDATE).subscription();
    Subscription nodeWatch = store.watch(e -> e.table() == Table.NODES && e.kind() == StoreEvent.Kind.UPDATE);
    managers = List.copyOf(managerList.managers());
    try {
      markNodesUnknown();
    } catch (RuntimeException e) {
      log.error("failed to move all nodes to \"unknown\" state", e);
    }
    loop = new Thread(() -> run(clusterWatch, nodeWatch), "dispatcher");
    loop.setDaemon(true);
    loop.start();
    assignments.start();
  }

  void stop() {
    running = false;
    pending.close();
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assignments.stop();
    nodes.clean(Status.ABORTED.withDescription("node must disconnect"));
    synchronized (downNodes) {
      downNodes.values().forEach(f -> f.cancel(false));
      downNodes.clear();
    }
    timers.shutdown();
    try {
      if (!timers.awaitTermination(2, TimeUnit.SECONDS)) {
        timers.shutdownNow();
      }
    } catch (InterruptedException e) {
      timers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void run(Subscription clusterWatch, Subscription nodeWatch) {
    long nextFlush = System.nanoTime() + options.batchInterval().toNanos();
    long nextManagerPoll = System.nanoTime() + MANAGER_POLL.toNanos();
    try (clusterWatch; nodeWatch) {
      while (running) {
        long untilFlush = Math.max(0, nextFlush - System.nanoTime());
        boolean full = pending.awaitFullBatch(Duration.ofNanos(Math.min(untilFlush, 20_000_000L)));
        if (!running) {
          break;
        }
        if (full || System.nanoTime() >= nextFlush) {
          processUpdates();
          nextFlush = System.nanoTime() + options.batchInterval().toNanos();
        }
        drainClusterEvents(clusterWatch);
        drainNodeEvents(nodeWatch);
        if (System.nanoTime() >= nextManagerPoll) {
          pollManagers();
          nextManagerPoll = System.nanoTime() + MANAGER_POLL.toNanos();
        }
      }
    } catch (InterruptedException e) {
      // stopping
    } catch (RuntimeException e) {
      if (running) {
        log.error("dispatcher loop failed", e);
      }
    }
  }

  private void drainClusterEvents(Subscription watch) throws InterruptedException {
    Optional<StoreEvent> ev;
    boolean changed = false;
    while ((ev = watch.poll(Duration.ZERO)).isPresent()) {
      Cluster c = (Cluster) ev.get().newObject();
      if (DEFAULT_CLUSTER_NAME.equals(c.getSpec().getAnnotations().getName())) {
        applyCluster(c);
        changed = true;
      }
    }
    if (changed) {
      nodes.withSessions().forEach(RegisteredNode::changed);
    }
  }

  private void drainNodeEvents(Subscription watch) throws InterruptedException {
    Optional<StoreEvent> ev;
    while ((ev = watch.poll(Duration.ZERO)).isPresent()) {
      Node n = (Node) ev.get().newObject();
      RegisteredNode rn = nodes.get(n.getId());
      if (rn != null) {
        rn.changed();
      }
    }
  }

  private void pollManagers() {
    try {
      List<WeightedPeer> now = List.copyOf(managerList.managers());
      if (!now.equals(managers)) {
        managers = now;
        nodes.withSessions().forEach(RegisteredNode::changed);
      }
    } catch (RuntimeException e) {
      log.warn("could not read the manager list", e);
    }
  }

  private void applyCluster(Cluster c) {
    if (c.getSpec().getDispatcher().hasHeartbeatPeriod()) {
      var d = c.getSpec().getDispatcher().getHeartbeatPeriod();
      Duration period = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      if (!period.isNegative() && !period.isZero() && !period.equals(heartbeatPeriod)) {
        heartbeatPeriod = period;
        nodes.updatePeriod(new PeriodChooser(period, options.heartbeatEpsilon()),
            options.gracePeriodMultiplier());
      }
    }
    networkBootstrapKeys = List.copyOf(c.getNetworkBootstrapKeysList());
    rootCa = c.getRootCa().getCaCert();
  }

  private void markNodesUnknown() {
    List<Node> all = store.view(tx -> tx.all(Table.NODES));
    store.batch(batch -> {
      for (Node n : all) {
        try {
          batch.update(tx -> {
            Optional<Node> current = tx.get(Table.NODES, n.getId());
            if (current.isEmpty()) {
              return;
            }
            Node node = current.get();
            if (node.getStatus().getState() == NodeStatus.State.DOWN) {
              log.info("node {} was found to be down when marking unknown on dispatcher start", node.getId());
              addDownNode(node.getId());
              return;
            }
            String id = node.getId();
            nodes.addUnknown(id, () -> {
              log.info("heartbeat expiration for node {} in state \"unknown\"", id);
              markNodeNotReady(id, NodeStatus.State.DOWN, "heartbeat failure for node in \"unknown\" state");
            });
            tx.update(Table.NODES, node.toBuilder().setStatus(node.getStatus().toBuilder()
                .setState(NodeStatus.State.UNKNOWN)
                .setMessage("Node moved to \"unknown\" state due to leadership change in cluster")).build());
          });
        } catch (StoreException e) {
          log.error("failed to move node {} to \"unknown\" state", n.getId(), e);
        }
      }
    });
  }

  /**
   * Queues READY with the node's description and address; completes once it is committed (true),
   * or with false if the dispatcher stops first. Nothing waits on a thread meanwhile.
   */
  java.util.concurrent.CompletableFuture<Boolean> markNodeReady(String nodeId, NodeDescription description,
      String addr) {
    removeDownNode(nodeId);
    return pending.addNodeUpdateAndNotify(nodeId,
        NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr(addr).build(), description);
  }

  /** Queues the node's new (down or disconnected) state and forgets its session. */
  void markNodeNotReady(String nodeId, NodeStatus.State state, String message) {
    if (!running) {
      return;
    }
    boolean exists = store.view(tx -> tx.get(Table.NODES, nodeId).isPresent());
    if (!exists) {
      log.warn("could not find node {} while trying to add to down nodes store", nodeId);
      return;
    }
    addDownNode(nodeId);
    pending.addNodeUpdate(nodeId,
        NodeStatus.newBuilder().setState(state).setMessage(message).build(), null);
    nodes.delete(nodeId, Status.NOT_FOUND.withDescription("node not registered"));
  }

  private void addDownNode(String nodeId) {
    synchronized (downNodes) {
      ScheduledFuture<?> old = downNodes.remove(nodeId);
      if (old != null) {
        old.cancel(false);
      }
      if (timers.isShutdown()) {
        return;
      }
      downNodes.put(nodeId, timers.schedule(() -> {
        log.info("moving tasks to orphaned state for node: {}", nodeId);
        try {
          moveTasksToOrphaned(nodeId);
        } catch (RuntimeException e) {
          log.error("failed to move all tasks for node {} to \"ORPHANED\" state", nodeId, e);
        }
        synchronized (downNodes) {
          downNodes.remove(nodeId);
        }
      }, options.nodeDownPeriod().toNanos(), TimeUnit.NANOSECONDS));
    }
  }

  private void removeDownNode(String nodeId) {
    synchronized (downNodes) {
      ScheduledFuture<?> f = downNodes.remove(nodeId);
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  private void moveTasksToOrphaned(String nodeId) {
    List<Task> tasks = store.view(tx -> tx.find(Table.TASKS, By.nodeId(nodeId)));
    store.batch(batch -> {
      for (Task t : tasks) {
        int s = t.getStatus().getState().getNumber();
        if (s < TaskState.ASSIGNED.getNumber() || s > TaskState.RUNNING.getNumber()) {
          continue;
        }
        batch.update(tx -> tx.get(Table.TASKS, t.getId()).ifPresent(cur -> {
          int now = cur.getStatus().getState().getNumber();
          if (now >= TaskState.ASSIGNED.getNumber() && now <= TaskState.RUNNING.getNumber()) {
            tx.update(Table.TASKS, cur.toBuilder()
                .setStatus(cur.getStatus().toBuilder().setState(TaskState.ORPHANED)).build());
          }
        }));
      }
    });
  }

  /** Commits buffered task and node updates in one batch (upstream's processUpdates). */
  void processUpdates() {
    PendingUpdates.Drained d = pending.drain();
    try {
      if (!d.isEmpty()) {
        commit(d);
        if (commitsFailing) {
          log.info("dispatcher committed its queued updates again");
          commitsFailing = false;
        }
      }
    } catch (StoreException e) {
      // Leadership lost or the manager stopping ends this term (and its queue); anything else (a
      // moment without quorum, an earlier write's outcome unknown) is retried by the next flush.
      if (!commitsFailing) {
        log.warn("dispatcher could not commit {} task and {} node updates (retrying): {}", d.tasks().size(),
            d.nodes().size(), e.getMessage());
      } else {
        log.debug("dispatcher still cannot commit its updates: {}", e.getMessage());
      }
      commitsFailing = true;
      pending.requeue(d);
    } catch (RuntimeException e) {
      log.error("dispatcher batch failed", e);
    } finally {
      pending.flushed();
    }
  }

  private void commit(PendingUpdates.Drained d) {
    store.batch(batch -> {
      d.tasks().forEach((taskId, status) -> {
        try {
          batch.update(tx -> {
            Optional<Task> current = tx.get(Table.TASKS, taskId);
            if (current.isEmpty()) {
              log.debug("cannot find target task in store: {}", taskId);
              return;
            }
            Task task = current.get();
            if (task.getStatus().equals(status)) {
              return;
            }
            if (task.getStatus().getState().getNumber() > status.getState().getNumber()) {
              log.debug("task {} status invalid transition {}->{}", taskId, task.getStatus().getState(),
                  status.getState());
              return;
            }
            long now = System.currentTimeMillis();
            if (status.getState() == TaskState.RUNNING && task.getStatus().getState() != TaskState.RUNNING) {
              DispatcherMetrics.taskRunning(task.getMeta().getCreatedAt(), now);
            }
            TaskStatus applied = status.toBuilder()
                .setAppliedBy(options.managerNodeId())
                .setAppliedAt(Timestamps.fromMillis(now))
                .build();
            tx.update(Table.TASKS, task.toBuilder().setStatus(applied).build());
          });
        } catch (StoreException e) {
          log.error("dispatcher task update transaction failed for {}", taskId, e);
        }
      });
      d.nodes().forEach((nodeId, update) -> {
        try {
          batch.update(tx -> {
            Optional<Node> current = tx.get(Table.NODES, nodeId);
            if (current.isEmpty()) {
              log.error("node unavailable: {}", nodeId);
              return;
            }
            Node.Builder node = current.get().toBuilder();
            if (update.status() != null) {
              NodeStatus.Builder st = node.getStatus().toBuilder()
                  .setState(update.status().getState())
                  .setMessage(update.status().getMessage());
              if (!update.status().getAddr().isEmpty()) {
                st.setAddr(update.status().getAddr());
              }
              node.setStatus(st);
            }
            if (update.description() != null) {
              node.setDescription(update.description());
            }
            tx.update(Table.NODES, node.build());
          });
        } catch (StoreException e) {
          log.error("dispatcher node update transaction failed for {}", nodeId, e);
        }
      });
    });
  }
}
