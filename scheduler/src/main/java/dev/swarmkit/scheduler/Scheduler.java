package dev.swarmkit.scheduler;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.store.DeferredEvents;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.WriteWhileWaiting;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns pending tasks to nodes. Runs on the leader only, on its own thread (its store writes on a
 * second one, so that it keeps reading its watch queue while they commit): it reads all nodes and
 * tasks, then follows the store's changes, keeping per-node accounting (reserved resources, task
 * counts per service, host ports) up to date. Pending unassigned tasks are collected and placed in
 * batches — after a quiet gap following a commit (50 ms, at most 1 s of debouncing) — by running them
 * through the filter pipeline and the spread strategy, and the decisions are written in few store
 * transactions.
 *
 * <p>The manager calls {@link #start()} when this member becomes leader and {@link #stop()} when it
 * steps down or shuts down.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** Wait after the last commit before scheduling, so bursts of changes are scheduled together. */
  static final Duration COMMIT_DEBOUNCE_GAP = Duration.ofMillis(50);
  /** Never delay scheduling by more than this while commits keep arriving. */
  static final Duration MAX_LATENCY = Duration.ofSeconds(1);
  static final String PREASSIGNED_MESSAGE = "scheduler confirmed task can run on preassigned node";
  /** Deferred changes past which the scheduler re-reads the state rather than keep them all. */
  static final int MAX_DEFERRED = 1_000_000;

  private final Store store;
  private final Clock clock;
  private final Object lifecycle = new Object();
  private Thread thread;
  private volatile boolean stopping;

  // State below is confined to the scheduler thread.
  private final Map<String, Task> allTasks = new HashMap<>();
  private final Map<String, Task> unassigned = new LinkedHashMap<>();
  private final Map<String, Task> pendingPreassigned = new LinkedHashMap<>();
  private final Set<String> preassigned = new HashSet<>();
  private final NodeSet nodeSet = new NodeSet();
  private final Pipeline pipeline = new Pipeline();
  private final GroupPlacer placer;
  private final DecisionWriter writer;
  private Subscription updates;
  // Events moved out of the bounded watch queue while the thread was busy (waiting for its writes
  // to commit, reading a large state): handled in order before any later one.
  private final DeferredEvents deferred = new DeferredEvents(MAX_DEFERRED);
  private final WriteWhileWaiting writes;
  private volatile int snapshotsLoaded;
  private boolean tickRequired;
  private boolean debouncing;
  private long debounceStart;
  private long lastCommit;

  public Scheduler(Store store) {
    this(store, Clock.systemUTC());
  }

  public Scheduler(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.placer = new GroupPlacer(nodeSet, pipeline, clock);
    this.writes = new WriteWhileWaiting("scheduler-writes");
    this.writer = new DecisionWriter(store, this::runWhileDeferring);
  }

  /** Starts the scheduler thread; returns at once. A scheduler runs at most once. */
  public void start() {
    synchronized (lifecycle) {
      if (thread != null) {
        throw new IllegalStateException("scheduler already started");
      }
      thread = new Thread(this::run, "scheduler");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Stops the scheduler and waits for its thread to end. Idempotent. */
  public void stop() {
    Thread t;
    synchronized (lifecycle) {
      t = thread;
      stopping = true;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    t.interrupt();
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    writes.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void run() {
    while (!stopping) {
      try {
        runLoop();
      } catch (StoreException.WatcherTooSlow e) {
        log.warn("scheduler fell behind the store's changes; re-reading the cluster state");
      } catch (InterruptedException | StoreException.Closed e) {
        return;
      } catch (RuntimeException e) {
        if (stopping) {
          return;
        }
        log.error("scheduler loop failed; restarting it from a fresh snapshot", e);
        if (!pause(Duration.ofMillis(200))) {
          return;
        }
      }
    }
  }

  private boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private record Snapshot(List<Node> nodes, List<Task> tasks) {}

  private void runLoop() throws InterruptedException {
    resetState();
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(
        tx -> new Snapshot(tx.all(Table.NODES), tx.all(Table.TASKS)),
        e -> e.kind() == StoreEvent.Kind.COMMIT || e.table() == Table.NODES || e.table() == Table.TASKS);
    try (Subscription subscription = vw.subscription()) {
      updates = subscription;
      loadSnapshot(vw.result());
      // Preassigned tasks (global services) first, then everything already pending.
      processPreassignedTasks();
      tick();
      followChanges();
    } finally {
      updates = null;
    }
  }

  private void followChanges() throws InterruptedException {
    while (!stopping) {
      Duration wait = Duration.ofMillis(500);
      if (debouncing) {
        long deadline = Math.min(lastCommit + COMMIT_DEBOUNCE_GAP.toNanos(), debounceStart + MAX_LATENCY.toNanos());
        wait = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      }
      nextEvent(wait).ifPresent(this::onEvent);
      if (debouncing) {
        long at = System.nanoTime();
        if (at - lastCommit >= COMMIT_DEBOUNCE_GAP.toNanos() || at - debounceStart >= MAX_LATENCY.toNanos()) {
          debouncing = false;
          if (!pendingPreassigned.isEmpty()) {
            processPreassignedTasks();
          }
          if (tickRequired) {
            tickRequired = false;
            tick();
          }
        }
      }
    }
  }

  private void onEvent(StoreEvent e) {
    if (e.kind() == StoreEvent.Kind.COMMIT) {
      long at = System.nanoTime();
      if (!debouncing) {
        debouncing = true;
        debounceStart = at;
      }
      lastCommit = at;
    } else {
      tickRequired |= handle(e);
    }
  }

  /** The next change: a deferred one first, else from the watch queue within {@code wait}. */
  private Optional<StoreEvent> nextEvent(Duration wait) throws InterruptedException {
    return deferred.next(updates, wait);
  }

  /** Applies every change already deferred or queued, without waiting (used between large writes). */
  private void drainQueuedChanges() {
    try {
      Optional<StoreEvent> e;
      while ((e = nextEvent(Duration.ZERO)).isPresent()) {
        onEvent(e.get());
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Moves the queued changes into {@link #deferred} without handling them, so the bounded watch queue
   * does not overflow while this thread is busy. A scheduler that falls too far behind (more than
   * {@link #MAX_DEFERRED}) re-reads the state instead.
   */
  private void deferQueuedChanges() {
    if (updates != null) {
      deferred.deferFrom(updates);
    }
  }

  /**
   * Runs one batch of decisions on the writes thread and defers the changes that arrive meanwhile:
   * a batch waits for its entry to commit, and under load the store's other writers (the
   * orchestrator creating tasks, agents reporting) fill the queue within a second.
   */
  private void runWhileDeferring(Runnable batch) {
    writes.run(batch, this::deferQueuedChanges);
  }

  // ---- state from the store ------------------------------------------------------------------

  private void resetState() {
    deferred.clear();
    allTasks.clear();
    unassigned.clear();
    pendingPreassigned.clear();
    preassigned.clear();
    tickRequired = false;
    debouncing = false;
    for (NodeInfo n : List.copyOf(nodeSet.all())) {
      nodeSet.remove(n.id());
    }
  }

  /** How many times the scheduler (re)built its state from a store snapshot; for tests. */
  int snapshotsLoaded() {
    return snapshotsLoaded;
  }

  private void loadSnapshot(Snapshot snapshot) {
    snapshotsLoaded++;
    Map<String, List<Task>> tasksByNode = new HashMap<>();
    int read = 0;
    for (Task t : snapshot.tasks()) {
      if (++read % 10_000 == 0) {
        deferQueuedChanges(); // reading 100,000 tasks takes longer than the queue lasts under load
      }
      int state = t.getStatus().getStateValue();
      // Ignore tasks not yet pending and ones that no longer hold resources, and unassigned ones
      // whose service no longer wants them.
      if (state < TaskState.PENDING_VALUE || state > TaskState.RUNNING_VALUE) {
        continue;
      }
      if (state == TaskState.PENDING_VALUE && t.getDesiredStateValue() > TaskState.COMPLETE_VALUE) {
        continue;
      }
      allTasks.put(t.getId(), t);
      if (t.getNodeId().isEmpty()) {
        enqueue(t);
      } else if (state == TaskState.PENDING_VALUE) {
        preassigned.add(t.getId());
        pendingPreassigned.put(t.getId(), t);
      } else {
        tasksByNode.computeIfAbsent(t.getNodeId(), k -> new java.util.ArrayList<>()).add(t);
      }
    }
    for (Node n : snapshot.nodes()) {
      nodeSet.put(new NodeInfo(n, tasksByNode.getOrDefault(n.getId(), List.of())));
    }
    log.debug("scheduler started with {} nodes, {} pending tasks", nodeSet.size(), unassigned.size());
  }

  /** Applies one change; returns whether pending tasks need another scheduling pass. */
  private boolean handle(StoreEvent e) {
    if (e.table() == Table.TASKS) {
      return switch (e.kind()) {
        case CREATE -> createTask(Table.TASKS.cast(e.newObject()));
        case UPDATE -> updateTask(Table.TASKS.cast(e.newObject()));
        case DELETE -> deleteTask(Table.TASKS.cast(e.oldObject()));
        default -> false;
      };
    }
    if (e.table() == Table.NODES) {
      switch (e.kind()) {
        case CREATE, UPDATE -> {
          createOrUpdateNode(Table.NODES.cast(e.newObject()));
          return true;
        }
        case DELETE -> nodeSet.remove(Table.NODES.cast(e.oldObject()).getId());
        default -> { }
      }
    }
    return false;
  }

  private void enqueue(Task t) {
    if (t.getDesiredStateValue() <= TaskState.COMPLETE_VALUE) {
      unassigned.put(t.getId(), t);
    } else {
      unassigned.remove(t.getId());
    }
  }

  private boolean createTask(Task t) {
    int state = t.getStatus().getStateValue();
    if (state < TaskState.PENDING_VALUE || state > TaskState.RUNNING_VALUE) {
      return false;
    }
    allTasks.put(t.getId(), t);
    if (t.getNodeId().isEmpty()) {
      enqueue(t);
      return true;
    }
    if (state == TaskState.PENDING_VALUE) {
      preassigned.add(t.getId());
      pendingPreassigned.put(t.getId(), t);
      return false; // preassigned tasks do not count until confirmed
    }
    NodeInfo node = nodeSet.get(t.getNodeId());
    if (node != null) {
      node.addTask(t);
    }
    return false;
  }

  private boolean updateTask(Task t) {
    int state = t.getStatus().getStateValue();
    if (state < TaskState.PENDING_VALUE) {
      return false;
    }
    Task old = allTasks.get(t.getId());
    if (state > TaskState.RUNNING_VALUE) {
      if (old == null) {
        return false;
      }
      boolean newlyFailed = t.getStatus().getState() != old.getStatus().getState()
          && (t.getStatus().getState() == TaskState.FAILED || t.getStatus().getState() == TaskState.REJECTED);
      // Remember failures so other nodes are preferred if the service keeps failing here; the
      // scheduler did not choose the node of preassigned tasks, so those do not count.
      if (newlyFailed && !preassigned.contains(t.getId())) {
        NodeInfo node = nodeSet.get(t.getNodeId());
        if (node != null) {
          node.taskFailed(t, clock.instant());
        }
      }
      deleteTask(old);
      return true;
    }
    if (t.getNodeId().isEmpty()) {
      if (old != null) {
        deleteTask(old);
      }
      allTasks.put(t.getId(), t);
      enqueue(t);
      return true;
    }
    unassigned.remove(t.getId());
    if (state == TaskState.PENDING_VALUE) {
      if (old != null) {
        deleteTask(old);
      }
      preassigned.add(t.getId());
      allTasks.put(t.getId(), t);
      pendingPreassigned.put(t.getId(), t);
      return false;
    }
    allTasks.put(t.getId(), t);
    NodeInfo node = nodeSet.get(t.getNodeId());
    if (node != null) {
      node.addTask(t);
    }
    return false;
  }

  /**
   * Undoes a decision that could not be written, unless a newer change of the task has already been
   * applied from the watch (it then supersedes the decision). Returns whether it reverted.
   */
  private boolean revert(Decision d) {
    String id = d.oldTask().getId();
    if (allTasks.get(id) != d.newTask()) {
      return false;
    }
    allTasks.put(id, d.oldTask());
    if (!d.newTask().getNodeId().equals(d.oldTask().getNodeId())
        || d.newTask().getStatus().getState() != d.oldTask().getStatus().getState()) {
      removeFromNode(d.newTask());
    }
    return true;
  }

  /** Forgets a task; returns whether that freed something on a node. */
  private boolean deleteTask(Task t) {
    Task tracked = allTasks.remove(t.getId());
    unassigned.remove(t.getId());
    preassigned.remove(t.getId());
    pendingPreassigned.remove(t.getId());
    boolean freed = removeFromNode(t);
    // The event's copy may predate the assignment the scheduler made; free that node too.
    if (tracked != null && !tracked.getNodeId().equals(t.getNodeId())) {
      freed |= removeFromNode(tracked);
    }
    return freed;
  }

  private boolean removeFromNode(Task t) {
    NodeInfo node = nodeSet.get(t.getNodeId());
    return node != null && node.removeTask(t);
  }

  private void createOrUpdateNode(Node n) {
    NodeInfo info = nodeSet.get(n.getId());
    if (info == null) {
      nodeSet.put(new NodeInfo(n, List.of()));
    } else {
      info.updateNode(n);
    }
  }

  // ---- scheduling ----------------------------------------------------------------------------

  /**
   * Tasks that can be placed together: same service and spec version, or — for tasks without a spec
   * version — same service, spec, network drivers and published ports, which is all the filters read
   * (network attachments themselves differ per task: they carry the task's addresses).
   */
  private record GroupKey(String serviceId, long specVersion, TaskSpec spec, List<String> networkDrivers,
      List<PortConfig> ports) {
    static GroupKey of(Task t) {
      if (t.hasSpecVersion()) {
        return new GroupKey(t.getServiceId(), t.getSpecVersion().getIndex(), null, null, null);
      }
      List<String> drivers = t.getNetworksCount() == 0 ? List.of()
          : t.getNetworksList().stream().map(a -> a.getNetwork().getDriverState().getName()).toList();
      return new GroupKey(t.getServiceId(), -1, t.getSpec(), drivers, t.getEndpoint().getPortsList());
    }
  }

  /** Places every queued task it can, and writes the decisions. */
  void tick() {
    if (unassigned.isEmpty()) {
      return;
    }
    Map<GroupKey, ArrayDeque<Task>> groups = new LinkedHashMap<>();
    for (Task t : unassigned.values()) {
      groups.computeIfAbsent(GroupKey.of(t), k -> new ArrayDeque<>()).add(t);
    }
    unassigned.clear();
    Map<String, Decision> decisions = new LinkedHashMap<>();
    for (ArrayDeque<Task> group : groups.values()) {
      placer.place(group, decisions);
      if (!group.isEmpty()) {
        noSuitableNode(group, decisions);
      }
    }
    for (Decision d : decisions.values()) {
      allTasks.put(d.newTask().getId(), d.newTask());
    }
    DecisionWriter.Outcome outcome = writer.write(decisions, this::drainQueuedChanges);
    for (Decision d : outcome.vanished()) {
      deleteTask(d.newTask());
    }
    for (Decision d : outcome.failed()) {
      if (revert(d)) {
        enqueue(d.oldTask()); // try again next time
      }
    }
    if (!decisions.isEmpty()) {
      log.debug("scheduler tick: {} decisions, {} written, {} failed", decisions.size(),
          outcome.written().size(), outcome.failed().size());
    }
  }

  /**
   * Records why the leftover tasks of a group fit nowhere and keeps them queued. Tasks whose service is
   * gone are dropped; tasks of an older service revision that should shut down are shut down.
   */
  private void noSuitableNode(ArrayDeque<Task> leftovers, Map<String, Decision> decisions) {
    String explanation = pipeline.explain();
    String err = explanation.isEmpty() ? "no suitable node" : "no suitable node (" + explanation + ")";
    Map<String, Optional<Service>> services = store.view(tx -> servicesOf(tx, leftovers));
    var now = GroupPlacer.timestamp(clock.instant());
    for (Task t : leftovers) {
      Optional<Service> service = services.get(t.getServiceId());
      if (service.isEmpty()) {
        log.debug("removing task {} from the scheduler: its service is gone", t.getId());
        continue;
      }
      TaskStatus.Builder status = t.getStatus().toBuilder().setTimestamp(now);
      Service s = service.get();
      boolean olderRevision = s.hasSpecVersion() && t.hasSpecVersion()
          && s.getSpecVersion().getIndex() > t.getSpecVersion().getIndex();
      if (olderRevision) {
        if (t.getStatus().getState() == TaskState.PENDING
            && t.getDesiredStateValue() >= TaskState.SHUTDOWN_VALUE) {
          status.setState(TaskState.SHUTDOWN).setErr("");
        }
      }
      Task updated = t.toBuilder().setStatus(status).build();
      if (!olderRevision) {
        updated = updated.toBuilder().setStatus(status.setErr(err)).build();
        enqueue(updated);
      }
      allTasks.put(t.getId(), updated);
      decisions.put(t.getId(), new Decision(t, updated));
    }
  }

  private static Map<String, Optional<Service>> servicesOf(ReadTx tx, Iterable<Task> tasks) {
    Map<String, Optional<Service>> out = new HashMap<>();
    for (Task t : tasks) {
      out.computeIfAbsent(t.getServiceId(),
          id -> id.isEmpty() ? Optional.empty() : tx.get(Table.SERVICES, id));
    }
    return out;
  }

  /** Confirms (or explains why not) tasks that arrived with a node already chosen. */
  private void processPreassignedTasks() {
    if (pendingPreassigned.isEmpty()) {
      return;
    }
    Map<String, Decision> decisions = new LinkedHashMap<>();
    for (Task t : pendingPreassigned.values()) {
      Decision d = fitPreassigned(t);
      if (d != null) {
        decisions.put(t.getId(), d);
      }
    }
    DecisionWriter.Outcome outcome = writer.write(decisions, this::drainQueuedChanges);
    for (Decision d : outcome.written()) {
      if (d.newTask().getStatus().getState() == TaskState.ASSIGNED) {
        pendingPreassigned.remove(d.oldTask().getId());
      }
    }
    for (Decision d : outcome.vanished()) {
      deleteTask(d.newTask());
    }
    for (Decision d : outcome.failed()) {
      revert(d);
    }
  }

  private Decision fitPreassigned(Task t) {
    NodeInfo node = nodeSet.get(t.getNodeId());
    if (node == null) {
      return null; // the node may have been deleted
    }
    var now = GroupPlacer.timestamp(clock.instant());
    pipeline.setTask(t);
    if (!pipeline.process(node)) {
      Task updated = t.toBuilder()
          .setStatus(t.getStatus().toBuilder().setTimestamp(now).setErr(pipeline.explain()))
          .build();
      allTasks.put(t.getId(), updated);
      return new Decision(t, updated);
    }
    Task.Builder b = t.toBuilder().setStatus(TaskStatus.newBuilder()
        .setState(TaskState.ASSIGNED).setTimestamp(now).setMessage(PREASSIGNED_MESSAGE));
    var generic = node.chooseGenericResources(t.getSpec());
    if (!generic.isEmpty()) {
      b.clearAssignedGenericResources().addAllAssignedGenericResources(generic);
    }
    Task updated = b.build();
    allTasks.put(t.getId(), updated);
    node.addTask(updated);
    return new Decision(t, updated);
  }
}
