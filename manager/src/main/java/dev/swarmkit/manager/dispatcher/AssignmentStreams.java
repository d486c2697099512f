package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every node's Assignments stream from one thread (upstream runs a goroutine per stream,
 * each with its own watch; here one watch on the task table fans out by node ID). Each stream keeps
 * its {@link AssignmentSet}; changes are sent in batches of at most {@link #MODIFICATION_BATCH_LIMIT}
 * or after {@link #BATCHING_WAIT}, and only while the transport is ready: a slow node's pending
 * changes coalesce per task in its set (bounded by its task count) instead of queueing messages.
 */
final class AssignmentStreams {

  private static final Logger log = LoggerFactory.getLogger(AssignmentStreams.class);

  /** Upstream's modificationBatchLimit and batchingWaitTime for assignment messages. */
  static final int MODIFICATION_BATCH_LIMIT = 100;
  static final Duration BATCHING_WAIT = Duration.ofMillis(100);
  /** How often open streams re-check that their session is still valid. */
  static final Duration SESSION_CHECK = Duration.ofMillis(500);
  /** The longest the loop sleeps, so new and cancelled streams are seen promptly. */
  private static final Duration TICK = Duration.ofMillis(20);
  private static final int MAX_EVENTS_PER_ROUND = 5_000;

  private final Store store;
  private final RegisteredNodes nodes;
  private final ConcurrentLinkedQueue<Stream> opened = new ConcurrentLinkedQueue<>();
  private final Map<String, List<Stream>> byNode = new HashMap<>(); // loop thread only
  private final Set<Stream> streams = new LinkedHashSet<>(); // loop thread only
  private final Thread thread;
  private volatile boolean stopped;

  AssignmentStreams(Store store, RegisteredNodes nodes) {
    this.store = store;
    this.nodes = nodes;
    this.thread = new Thread(this::run, "dispatcher-assignments");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Ends every stream with ABORTED and stops the loop. */
  void stop() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Stream s;
    while ((s = opened.poll()) != null) {
      s.fail(Status.ABORTED.withDescription("dispatcher is stopped"));
    }
  }

  /** Number of open streams (for tests and metrics). */
  int size() {
    return streams.size() + opened.size();
  }

  /** Takes over a validated Assignments call; the handler thread returns at once. */
  void open(String nodeId, String sessionId, ServerCallStreamObserver<AssignmentsMessage> call) {
    Stream s = new Stream(nodeId, sessionId, call);
    call.setOnCancelHandler(() -> s.cancelled = true);
    call.setOnReadyHandler(() -> { }); // readiness is polled by the loop
    opened.add(s);
    if (stopped) {
      s.fail(Status.ABORTED.withDescription("dispatcher is stopped"));
    }
  }

  private void run() {
    Subscription watch = subscribe();
    long nextCheck = System.nanoTime() + SESSION_CHECK.toNanos();
    try {
      while (!stopped) {
        registerOpened();
        List<StoreEvent> events = new ArrayList<>();
        try {
          Optional<StoreEvent> first = watch.poll(TICK);
          if (first.isPresent()) {
            events.add(first.get());
            Optional<StoreEvent> more;
            while (events.size() < MAX_EVENTS_PER_ROUND && (more = watch.poll(Duration.ZERO)).isPresent()) {
              events.add(more.get());
            }
          }
        } catch (StoreException.WatcherTooSlow e) {
          log.warn("assignments fell behind the store; resending complete sets to {} nodes", streams.size());
          watch.close();
          watch = subscribe();
          resync();
          continue;
        }
        if (!events.isEmpty()) {
          apply(events);
        }
        flushDue();
        if (System.nanoTime() >= nextCheck) {
          checkSessions();
          nextCheck = System.nanoTime() + SESSION_CHECK.toNanos();
        }
      }
    } catch (InterruptedException e) {
      // stopping
    } catch (RuntimeException e) {
      if (!stopped) {
        log.error("assignments loop failed", e);
      }
    } finally {
      watch.close();
      for (Stream s : streams) {
        s.fail(Status.ABORTED.withDescription("dispatcher is stopped"));
      }
      streams.clear();
      byNode.clear();
    }
  }

  private Subscription subscribe() {
    return store.watch(e -> e.table() == Table.TASKS && e.kind() != StoreEvent.Kind.COMMIT);
  }

  private void registerOpened() {
    Stream s;
    while ((s = opened.poll()) != null) {
      if (s.cancelled) {
        continue;
      }
      try {
        nodes.getWithSession(s.nodeId, s.sessionId);
      } catch (StatusRuntimeException e) {
        s.fail(e.getStatus());
        continue;
      }
      streams.add(s);
      byNode.computeIfAbsent(s.nodeId, k -> new ArrayList<>(1)).add(s);
      sendComplete(s);
    }
  }

  /** Sends the node's full set from a snapshot; later events older than what it holds are skipped. */
  private void sendComplete(Stream s) {
    AssignmentSet set = new AssignmentSet();
    store.read(tx -> {
      for (Task task : tx.find(Table.TASKS, By.nodeId(s.nodeId))) {
        set.addOrUpdateTask(tx, task);
      }
    });
    s.assignments = set;
    s.modifications = 0;
    s.send(set.message(), AssignmentsMessage.Type.COMPLETE);
  }

  private void resync() {
    for (Stream s : new ArrayList<>(streams)) {
      sendComplete(s);
    }
  }

  private void apply(List<StoreEvent> events) {
    long now = System.nanoTime();
    store.read(tx -> {
      for (StoreEvent e : events) {
        Task task = (Task) e.object();
        List<Stream> targets = byNode.get(task.getNodeId());
        if (targets == null) {
          continue;
        }
        for (Stream s : targets) {
          if (apply(tx, s.assignments, e) && s.modifications++ == 0) {
            s.deadline = now + BATCHING_WAIT.toNanos();
          }
        }
      }
    });
  }

  /**
   * Applies one event to a set. The shared watch may deliver events the set's snapshot already
   * contains: a copy not newer than the one held is skipped, and so is a task that no longer exists
   * (its DELETE event follows).
   */
  private static boolean apply(ReadTx tx, AssignmentSet set, StoreEvent e) {
    if (e.kind() == StoreEvent.Kind.DELETE) {
      return set.removeTask((Task) e.oldObject());
    }
    Task task = (Task) e.newObject();
    long held = set.versionOf(task.getId());
    if (held >= 0 && held >= task.getMeta().getVersion().getIndex()) {
      return false;
    }
    if (held < 0 && tx.get(Table.TASKS, task.getId()).isEmpty()) {
      return false;
    }
    return set.addOrUpdateTask(tx, task);
  }

  private void flushDue() {
    long now = System.nanoTime();
    Iterator<Stream> it = streams.iterator();
    while (it.hasNext()) {
      Stream s = it.next();
      if (s.cancelled) {
        it.remove();
        forget(s);
        continue;
      }
      if (s.modifications > 0 && (s.modifications >= MODIFICATION_BATCH_LIMIT || now >= s.deadline)
          && s.call.isReady()) {
        s.modifications = 0;
        s.send(s.assignments.message(), AssignmentsMessage.Type.INCREMENTAL);
      }
    }
  }

  private void checkSessions() {
    Iterator<Stream> it = streams.iterator();
    while (it.hasNext()) {
      Stream s = it.next();
      try {
        nodes.getWithSession(s.nodeId, s.sessionId);
      } catch (StatusRuntimeException e) {
        it.remove();
        forget(s);
        s.fail(e.getStatus());
      }
    }
  }

  private void forget(Stream s) {
    List<Stream> list = byNode.get(s.nodeId);
    if (list != null) {
      list.remove(s);
      if (list.isEmpty()) {
        byNode.remove(s.nodeId);
      }
    }
  }

  /** One open Assignments call; numbers its messages so the agent can detect a gap. */
  private static final class Stream {
    final String nodeId;
    final String sessionId;
    final ServerCallStreamObserver<AssignmentsMessage> call;
    volatile boolean cancelled;
    AssignmentSet assignments = new AssignmentSet();
    int modifications;
    long deadline;
    private long sequence;
    private String appliesTo = "";

    Stream(String nodeId, String sessionId, ServerCallStreamObserver<AssignmentsMessage> call) {
      this.nodeId = nodeId;
      this.sessionId = sessionId;
      this.call = call;
    }

    void send(AssignmentsMessage msg, AssignmentsMessage.Type type) {
      sequence++;
      String resultsIn = Long.toString(sequence);
      try {
        call.onNext(msg.toBuilder().setType(type).setAppliesTo(appliesTo).setResultsIn(resultsIn).build());
      } catch (RuntimeException e) {
        cancelled = true;
        log.debug("assignments for {} not sent: {}", nodeId, e.toString());
      }
      appliesTo = resultsIn;
    }

    synchronized void fail(Status status) {
      cancelled = true;
      if (call.isCancelled()) {
        return;
      }
      try {
        call.onError(status.asRuntimeException());
      } catch (IllegalStateException alreadyClosed) {
        // completed meanwhile
      }
    }
  }
}
