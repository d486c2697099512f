package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.TaskStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Task and node status changes waiting to be committed in one store batch. Later updates for the same
 * object replace earlier ones; {@link #awaitFlush} lets a caller wait until its update is committed.
 */
final class PendingUpdates {

  /** Upstream's maxBatchItems: this many queued writes trigger a commit right away. */
  static final int MAX_BATCH_ITEMS = 10_000;

  /** A node's new status and/or description. */
  record NodeUpdate(NodeStatus status, NodeDescription description) {}

  /** What one flush takes out. */
  record Drained(Map<String, TaskStatus> tasks, Map<String, NodeUpdate> nodes) {
    boolean isEmpty() {
      return tasks.isEmpty() && nodes.isEmpty();
    }
  }

  private Map<String, TaskStatus> tasks = new LinkedHashMap<>();
  private Map<String, NodeUpdate> nodes = new LinkedHashMap<>();
  private long flushed;
  private boolean closed;
  private boolean flushRequested;
  /** Completes when the updates queued now are committed; swapped by {@link #drain}. */
  private java.util.concurrent.CompletableFuture<Boolean> nextFlush = new java.util.concurrent.CompletableFuture<>();
  private java.util.concurrent.CompletableFuture<Boolean> drainedFlush = new java.util.concurrent.CompletableFuture<>();

  /** Queues task statuses; returns true when the batch is full and should be flushed now. */
  synchronized boolean addTaskStatus(String taskId, TaskStatus status) {
    tasks.put(taskId, status);
    return full();
  }

  /** Queues a node update, keeping an earlier queued description if this one has none. */
  synchronized boolean addNodeUpdate(String nodeId, NodeStatus status, NodeDescription description) {
    NodeUpdate previous = nodes.get(nodeId);
    if (description == null && previous != null) {
      description = previous.description();
    }
    nodes.put(nodeId, new NodeUpdate(status, description));
    return full();
  }

  private boolean full() {
    boolean isFull = tasks.size() + nodes.size() >= MAX_BATCH_ITEMS;
    if (isFull) {
      flushRequested = true;
      notifyAll();
    }
    return isFull;
  }

  /** Takes everything queued. */
  synchronized Drained drain() {
    Drained d = new Drained(tasks, nodes);
    tasks = new LinkedHashMap<>();
    nodes = new LinkedHashMap<>();
    flushRequested = false;
    drainedFlush = nextFlush;
    nextFlush = new java.util.concurrent.CompletableFuture<>();
    return d;
  }

  /**
   * Puts back what a flush could not commit (the store refused the batch: no quorum for a moment,
   * an earlier write's outcome unknown), so the next flush tries again; anything queued for the same
   * object since is newer and wins. Dropping them would leave a registered node UNKNOWN and a
   * reported task state unrecorded for good, since agents do not report them again.
   */
  synchronized void requeue(Drained failed) {
    failed.tasks().forEach(tasks::putIfAbsent);
    failed.nodes().forEach((nodeId, update) -> {
      NodeUpdate newer = nodes.get(nodeId);
      if (newer == null) {
        nodes.put(nodeId, update);
      } else if (newer.description() == null && update.description() != null) {
        nodes.put(nodeId, new NodeUpdate(newer.status(), update.description()));
      }
    });
  }

  /** Marks a flush done, waking {@link #awaitFlush} callers. */
  void flushed() {
    java.util.concurrent.CompletableFuture<Boolean> done;
    synchronized (this) {
      flushed++;
      notifyAll();
      done = drainedFlush;
    }
    done.complete(true);
  }

  /**
   * Queues a node update like {@link #addNodeUpdate}; the result completes with true once it is
   * committed, or with false if the dispatcher stops first (the non-blocking {@link #awaitFlush}).
   */
  synchronized java.util.concurrent.CompletableFuture<Boolean> addNodeUpdateAndNotify(String nodeId,
      NodeStatus status, NodeDescription description) {
    if (closed) {
      return java.util.concurrent.CompletableFuture.completedFuture(false);
    }
    addNodeUpdate(nodeId, status, description);
    return nextFlush;
  }

  /** Waits up to {@code interval} for a full batch; true if one is waiting. */
  synchronized boolean awaitFullBatch(Duration interval) throws InterruptedException {
    if (!flushRequested && !closed) {
      wait(Math.max(1, interval.toMillis()));
    }
    return flushRequested;
  }

  /**
   * Waits until the next flush completes (upstream's markNodeReady waits on processUpdatesCond).
   * Returns false if the dispatcher stopped or the timeout passed first.
   */
  synchronized boolean awaitFlush(Duration timeout) throws InterruptedException {
    long target = flushed + 1;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (flushed < target && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return flushed >= target;
  }

  void close() {
    java.util.concurrent.CompletableFuture<Boolean> pendingFlush;
    synchronized (this) {
      closed = true;
      notifyAll();
      pendingFlush = nextFlush;
    }
    pendingFlush.complete(false);
    drainedFlush.complete(false);
  }
}
