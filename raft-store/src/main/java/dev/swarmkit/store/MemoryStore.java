package dev.swarmkit.store;

import com.google.protobuf.Message;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.StoreActionKind;
import dev.swarmkit.api.StoreSnapshot;
import dev.swarmkit.api.Version;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory indexed store (upstream manager/state/store). See the package documentation for the
 * design: immutable roots for lock-free reads, serialized write transactions proposed through a
 * {@link Proposer}, and committed entries applied by {@link #applyCommitted}.
 */
public final class MemoryStore implements Store, AutoCloseable {

  /** Most changes one replicated entry may carry (upstream MaxChangesPerTransaction). */
  public static final int MAX_CHANGES_PER_TRANSACTION = 200;
  /** Largest serialized size of one entry's changes (upstream MaxTransactionBytes, 1.5 MiB). */
  public static final int MAX_TRANSACTION_BYTES = 3 * 1024 * 1024 / 2;
  /**
   * Most changes one entry carries when it groups several transactions (a batch's callbacks, or
   * writers queued behind the update lock). Each transaction alone stays within {@link
   * #MAX_CHANGES_PER_TRANSACTION}. Larger than upstream's 200: an entry's commit waits for a round
   * trip to the followers, and under load that round trip, not the entry's size, bounds how fast a
   * service's tasks are created and placed.
   */
  static final int MAX_CHANGES_PER_ENTRY = 2000;

  private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);

  /**
   * Tunables. {@code watchQueueCapacity}: events a watcher may have pending before it is dropped;
   * {@code retainedEvents}: committed events kept for {@link #watchFrom}.
   */
  public record Options(int watchQueueCapacity, int retainedEvents, Clock clock) {
    public static Options defaults() {
      return new Options(10_000, 5_000, Clock.systemUTC());
    }

    public Options withWatchQueueCapacity(int capacity) {
      return new Options(capacity, retainedEvents, clock);
    }

    public Options withRetainedEvents(int events) {
      return new Options(watchQueueCapacity, events, clock);
    }

    public Options withClock(Clock c) {
      return new Options(watchQueueCapacity, retainedEvents, c);
    }
  }

  private final Options options;
  private final Proposer proposer;
  /**
   * One writer at a time, as upstream's update lock; held across propose. Fair, so a long batch that
   * releases it between entries really lets waiting writers in.
   */
  private final ReentrantLock updateLock = new ReentrantLock(true);
  /** Orders applies, snapshot restores and watcher registration against each other. */
  private final Object applyLock = new Object();
  private final List<WatchQueue> watchers = new CopyOnWriteArrayList<>();
  private final EventLog eventLog;

  private volatile StoreRoot root = StoreRoot.empty();
  /** The transaction being proposed by this member, if its root may be taken as the entry's result. */
  private volatile Prepared prepared;
  private volatile long version;
  private volatile boolean closed;

  /** A standalone store with a local (non-replicated) proposer. */
  public MemoryStore() {
    this(LocalProposer::new, Options.defaults());
  }

  public MemoryStore(Options options) {
    this(LocalProposer::new, options);
  }

  /**
   * A store whose writes go through the proposer built by {@code proposerFactory} (given this store,
   * so a proposer may apply to it directly, as {@link LocalProposer} does).
   */
  public MemoryStore(Function<? super MemoryStore, ? extends Proposer> proposerFactory, Options options) {
    this.options = options;
    this.eventLog = new EventLog(options.retainedEvents());
    this.proposer = proposerFactory.apply(this);
  }

  // ---- reads -------------------------------------------------------------------------------

  @Override
  public <R> R view(Function<ReadTx, R> fn) {
    long start = System.nanoTime();
    try {
      return fn.apply(new RootReader(root));
    } finally {
      StoreMetrics.observeSince(StoreMetrics.READ_TX, start);
    }
  }

  @Override
  public long currentVersion() {
    return version;
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Writers whose transaction waits for the update lock. Whoever holds the lock runs every queued
   * transaction, in order, into one entry (group commit): with one Raft round trip in flight at a
   * time, concurrent writers then share a round trip instead of queueing for one each.
   */
  private final ConcurrentLinkedQueue<QueuedWrite> queuedWrites = new ConcurrentLinkedQueue<>();

  @Override
  public void update(Consumer<Tx> fn) {
    long start = System.nanoTime();
    refuseNestedWrite();
    QueuedWrite own = new QueuedWrite(fn);
    queuedWrites.add(own);
    updateLock.lock();
    long locked = System.nanoTime();
    try {
      while (!own.done) {
        commitQueued();
      }
    } finally {
      updateLock.unlock();
      StoreMetrics.observeSince(StoreMetrics.LOCK_HELD, locked);
      StoreMetrics.observeSince(StoreMetrics.WRITE_TX, start);
    }
    own.rethrow();
  }

  /** Writers waiting for their transaction to be run (for tests). */
  int queuedWrites() {
    return queuedWrites.size();
  }

  /** One writer's transaction and, once run, its outcome. */
  private static final class QueuedWrite {
    final Consumer<Tx> fn;
    private Throwable failure;
    /** Written last, after {@link #failure}, by the thread that ran the transaction. */
    volatile boolean done;

    QueuedWrite(Consumer<Tx> fn) {
      this.fn = fn;
    }

    void finish(Throwable failure) {
      this.failure = failure;
      done = true;
    }

    void rethrow() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new StoreException("store: write failed", failure);
      }
    }
  }

  /**
   * Under the update lock: runs queued transactions, each against the state the ones before it left,
   * until the queue is empty or the next one would overflow the entry, and commits them as one entry.
   * A transaction that throws (or is too large on its own) is rolled back alone and fails alone; if
   * the entry is not committed, every transaction in it fails with that error. Each transaction runs
   * exactly once.
   */
  private void commitQueued() {
    WriteTx tx = newTx();
    List<QueuedWrite> inEntry = new ArrayList<>();
    int pendingEnd = -1; // where the entry must be cut when the last transaction overflowed it
    QueuedWrite w;
    while (pendingEnd < 0 && (w = queuedWrites.poll()) != null) {
      if (closed) {
        w.finish(new StoreException.Closed());
        continue;
      }
      int mark = tx.actions().size();
      StoreRoot markRoot = tx.root();
      try {
        w.fn.accept(tx);
        int own = tx.actions().size() - mark;
        long ownBytes = tx.bytesFrom(mark);
        checkLimits(own, ownBytes);
      } catch (Throwable e) {
        tx.rollbackTo(mark, markRoot);
        w.finish(e);
        continue;
      }
      inEntry.add(w);
      if (tx.actions().size() > MAX_CHANGES_PER_ENTRY || tx.bytes() > MAX_TRANSACTION_BYTES) {
        pendingEnd = mark; // it fits alone (checked above) but not with what came before it
      }
    }
    tx.close();
    List<StoreAction> actions = tx.actions();
    if (pendingEnd > 0) {
      // The last transaction goes in an entry of its own, after the others'.
      QueuedWrite last = inEntry.remove(inEntry.size() - 1);
      Throwable first = commitFor(inEntry, actions.subList(0, pendingEnd), null);
      if (first == null) {
        commitFor(List.of(last), actions.subList(pendingEnd, actions.size()), null);
      } else {
        last.finish(first); // validated on top of changes that were not committed
      }
    } else {
      commitFor(inEntry, actions, tx);
    }
  }

  /**
   * Commits {@code actions} as one entry and finishes {@code writes} with the outcome; {@code whole},
   * if given, is the transaction whose every action this entry carries.
   */
  private Throwable commitFor(List<QueuedWrite> writes, List<StoreAction> actions, WriteTx whole) {
    Throwable failure = null;
    try {
      if (!actions.isEmpty()) {
        commit(new ArrayList<>(actions), whole);
      }
    } catch (Throwable e) {
      failure = e;
    }
    for (QueuedWrite w : writes) {
      w.finish(failure);
    }
    return failure;
  }

  @Override
  public void batch(Consumer<Batch> fn) {
    long start = System.nanoTime();
    lockForWrite();
    try {
      checkOpen();
      BatchImpl batch = new BatchImpl();
      fn.accept(batch);
      batch.finish();
    } finally {
      updateLock.unlock();
      StoreMetrics.observeSince(StoreMetrics.BATCH, start);
    }
  }

  /**
   * Splits a batch into entries between callbacks: once the pending changes reach the change limit
   * or three quarters of the byte limit (as upstream), they are committed and the update lock is
   * briefly released so other writers are not starved. A callback's own changes always stay in one
   * entry.
   */
  private final class BatchImpl implements Batch {
    private WriteTx tx = newTx();

    @Override
    public void update(Consumer<Tx> fn) {
      checkOpen();
      int mark = tx.actions().size();
      StoreRoot markRoot = tx.root();
      try {
        fn.accept(tx);
      } catch (RuntimeException | Error e) {
        tx.rollbackTo(mark, markRoot);
        throw e;
      }
      int total = tx.actions().size();
      long bytes = tx.bytes();
      boolean overflows = total > MAX_CHANGES_PER_ENTRY || bytes > MAX_TRANSACTION_BYTES;
      if (overflows) {
        int own = total - mark;
        long ownBytes = tx.bytesFrom(mark);
        if (own > MAX_CHANGES_PER_TRANSACTION || ownBytes > MAX_TRANSACTION_BYTES) {
          tx.rollbackTo(mark, markRoot);
          checkLimits(own, ownBytes);
        }
      } else if (total < MAX_CHANGES_PER_ENTRY && bytes < MAX_TRANSACTION_BYTES * 3L / 4) {
        return; // keep accumulating
      }
      try {
        if (overflows && mark > 0) {
          // This callback does not fit with what is pending: the pending part goes first.
          List<StoreAction> pending = new ArrayList<>(tx.actions().subList(0, mark));
          List<StoreAction> current = new ArrayList<>(tx.actions().subList(mark, total));
          commit(pending, null);
          commit(current, null);
        } else {
          commit(new ArrayList<>(tx.actions()), tx);
        }
      } catch (RuntimeException | Error e) {
        // What was not committed is lost with this transaction; never propose it twice.
        tx.close();
        tx = newTx();
        throw e;
      }
      yieldAndRenew();
    }

    private void yieldAndRenew() {
      tx.close();
      updateLock.unlock();
      Thread.yield();
      updateLock.lock();
      checkOpen();
      tx = newTx();
    }

    void finish() {
      tx.close();
      if (!tx.actions().isEmpty()) {
        commit(new ArrayList<>(tx.actions()), tx);
      }
    }
  }

  /**
   * A write started from inside another write's callback would commit on top of a root the outer
   * transaction has not seen and then be overwritten by it; refuse it instead of corrupting data.
   */
  private void lockForWrite() {
    refuseNestedWrite();
    updateLock.lock();
  }

  private void refuseNestedWrite() {
    if (updateLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("store update or batch called from inside another update");
    }
  }

  private WriteTx newTx() {
    return new WriteTx(root, version + 1, options.clock());
  }

  private static void checkLimits(int changes, long bytes) {
    if (changes > MAX_CHANGES_PER_TRANSACTION) {
      throw new StoreException.TransactionTooLarge("transaction has " + changes + " changes; at most "
          + MAX_CHANGES_PER_TRANSACTION + " fit in one entry (use Store.batch)");
    }
    if (bytes > MAX_TRANSACTION_BYTES) {
      throw new StoreException.TransactionTooLarge("transaction is " + bytes + " bytes; at most "
          + MAX_TRANSACTION_BYTES + " fit in one entry (use Store.batch)");
    }
  }

  /**
   * Proposes {@code actions} as one entry. {@code whole}, if given, is the transaction that recorded
   * exactly these actions: its root is offered to {@link #applyCommitted} so that this member, when
   * it applies its own entry, takes the state the transaction already built instead of building it
   * again.
   */
  private void commit(List<StoreAction> actions, WriteTx whole) {
    List<StoreAction> entry = List.copyOf(actions);
    prepared = whole == null ? null : new Prepared(whole.base(), whole.provisionalVersion(), entry, whole.root());
    try {
      long index = proposer.propose(entry);
      if (version < index) {
        throw new IllegalStateException("proposer returned index " + index + " before applying it locally");
      }
    } finally {
      prepared = null;
    }
  }

  /** A transaction's result, waiting to be applied as its own entry (see {@link #commit}). */
  private record Prepared(StoreRoot base, long provisionalVersion, List<StoreAction> actions, StoreRoot result) {

    /**
     * Whether applying {@code entry} on top of {@code current} yields {@link #result} up to the
     * version stamped into the changed objects: the same actions on the same root. (Ratis puts entries
     * of its own between store entries, so the index need not be the provisional version.)
     */
    boolean resultOf(StoreRoot current, List<StoreAction> entry) {
      return current == base && entry.size() == actions.size() && entry.equals(actions);
    }
  }

  // ---- replication side --------------------------------------------------------------------

  /**
   * Applies one committed entry. Called in log order on every replica (on the proposing one from
   * within {@link Proposer#propose}). Deterministic: the result depends only on the current state, the
   * index and the actions; each created or updated object's {@code meta.version} is set to {@code
   * index}, the timestamps are kept as the proposer stamped them. Entries at or below the current
   * version were already applied and are ignored.
   */
  public void applyCommitted(long index, List<StoreAction> actions) {
    synchronized (applyLock) {
      if (index <= version) {
        log.debug("ignoring store entry {}: already at version {}", index, version);
        return;
      }
      Prepared p = prepared;
      boolean adopt = p != null && p.resultOf(root, actions);
      StoreRoot next = root;
      // With a prepared result only the events are derived here; objects changed earlier in this
      // entry are looked up in what the entry changed so far.
      Map<String, Message> changed = adopt ? new HashMap<>() : null;
      List<StoreEvent> events = new ArrayList<>(actions.size() + 1);
      for (StoreAction action : actions) {
        Table<?> table = StoreActions.tableOf(action);
        Message object = StoreActions.objectOf(action);
        String id = idOf(table, object);
        String key = adopt ? table.name() + '\0' + id : null;
        Message old = adopt ? (changed.containsKey(key) ? changed.get(key) : root.get(table, id)) : next.get(table, id);
        if (action.getAction() == StoreActionKind.STORE_ACTION_REMOVE) {
          if (old != null) {
            if (adopt) {
              changed.put(key, null);
            } else {
              next = next.remove(table, id);
            }
            events.add(new StoreEvent(StoreEvent.Kind.DELETE, table, old, null, index));
          }
        } else if (action.getAction() == StoreActionKind.STORE_ACTION_CREATE
            || action.getAction() == StoreActionKind.STORE_ACTION_UPDATE) {
          Message stamped = withVersion(table, object, index);
          if (adopt) {
            changed.put(key, stamped);
          } else {
            next = next.put(table, id, stamped);
          }
          StoreEvent.Kind kind = old == null ? StoreEvent.Kind.CREATE : StoreEvent.Kind.UPDATE;
          events.add(new StoreEvent(kind, table, old, stamped, index));
        } else {
          throw new IllegalArgumentException("unknown store action " + action.getAction());
        }
      }
      if (adopt) {
        next = p.result();
        if (p.provisionalVersion() != index) {
          // The transaction stamped a provisional version other than the index: its objects take the
          // event's stamped copy (indexes do not depend on the version), each object's last one.
          for (StoreEvent e : events) {
            Message stamped = e.newObject();
            if (stamped == null) {
              continue; // a removal
            }
            String id = idOf(e.table(), stamped);
            if (changed.get(e.table().name() + '\0' + id) == stamped) {
              next = next.replaceObject(e.table(), id, stamped);
            }
          }
        }
      }
      events.add(StoreEvent.commit(index));
      root = next;
      version = index;
      List<StoreEvent> committed = List.copyOf(events);
      eventLog.append(index, committed);
      publish(committed);
    }
  }

  /** A snapshot of the store together with the version (last applied index) it reflects. */
  public record VersionedSnapshot(StoreSnapshot snapshot, long version) {}

  /** Every object of the store, as upstream's StoreSnapshot (each table ordered by ID). */
  public StoreSnapshot snapshot() {
    return versionedSnapshot().snapshot();
  }

  /**
   * A snapshot and the exact version it was taken at, for a replication layer that must record
   * which log index the snapshot covers. Only the root capture is locked; building is not.
   */
  public VersionedSnapshot versionedSnapshot() {
    StoreRoot r;
    long v;
    synchronized (applyLock) {
      r = root;
      v = version;
    }
    StoreSnapshot.Builder b = StoreSnapshot.newBuilder();
    for (Table<?> table : Table.ALL) {
      StoreActions.addTo(b, table, new ArrayList<>(r.table(table).all()));
    }
    return new VersionedSnapshot(b.build(), v);
  }

  /**
   * Replaces the whole state with {@code snapshot}, taken at log index {@code index}. Watchers see
   * the difference as ordinary events followed by a commit at {@code index}; resuming from a version
   * before {@code index} is no longer possible.
   */
  public void restore(StoreSnapshot snapshot, long index) {
    synchronized (applyLock) {
      StoreRoot before = root;
      StoreRoot next = StoreRoot.empty();
      List<StoreEvent> events = new ArrayList<>();
      for (Table<?> table : Table.ALL) {
        Map<String, Message> remaining = new HashMap<>();
        for (Message m : before.table(table).all()) {
          remaining.put(idOf(table, m), m);
        }
        for (Message m : StoreActions.objectsOf(snapshot, table)) {
          String id = idOf(table, m);
          next = next.put(table, id, m);
          Message old = remaining.remove(id);
          if (old == null) {
            events.add(new StoreEvent(StoreEvent.Kind.CREATE, table, null, m, index));
          } else if (!old.equals(m)) {
            events.add(new StoreEvent(StoreEvent.Kind.UPDATE, table, old, m, index));
          }
        }
        for (Message old : remaining.values()) {
          events.add(new StoreEvent(StoreEvent.Kind.DELETE, table, old, null, index));
        }
      }
      events.add(StoreEvent.commit(index));
      root = next;
      version = index;
      eventLog.reset(index);
      publish(List.copyOf(events));
    }
  }

  // ---- watches -----------------------------------------------------------------------------

  @Override
  public Subscription watch(Predicate<StoreEvent> filter) {
    synchronized (applyLock) {
      return register(filter, List.of());
    }
  }

  @Override
  public <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter) {
    StoreRoot snapshotRoot;
    WatchQueue queue;
    synchronized (applyLock) {
      // Same commit boundary for both: the subscription starts right after this root.
      snapshotRoot = root;
      queue = register(filter, List.of());
    }
    try {
      return new ViewAndWatch<>(fn.apply(new RootReader(snapshotRoot)), queue);
    } catch (RuntimeException | Error e) {
      queue.close();
      throw e;
    }
  }

  @Override
  public Subscription watchFrom(long fromVersion, Predicate<StoreEvent> filter) {
    synchronized (applyLock) {
      if (!eventLog.canReplayAfter(fromVersion)) {
        throw new StoreException.VersionTooOld(fromVersion, eventLog.floor());
      }
      Predicate<StoreEvent> after = e -> e.version() > fromVersion;
      return register(after.and(filter), eventLog.after(fromVersion));
    }
  }

  private WatchQueue register(Predicate<StoreEvent> filter, List<StoreEvent> replay) {
    checkOpen();
    WatchQueue[] self = new WatchQueue[1];
    WatchQueue queue = new WatchQueue(safe(filter), options.watchQueueCapacity(), () -> watchers.remove(self[0]));
    self[0] = queue;
    queue.prefill(replay);
    watchers.add(queue);
    return queue;
  }

  /** A filter that throws is treated as not matching, so one bad watcher cannot break commits. */
  private static Predicate<StoreEvent> safe(Predicate<StoreEvent> filter) {
    return e -> {
      try {
        return filter.test(e);
      } catch (RuntimeException ex) {
        log.warn("store watch filter failed on {}; event skipped", e.kind(), ex);
        return false;
      }
    };
  }

  private void publish(List<StoreEvent> events) {
    for (WatchQueue w : watchers) {
      if (!w.offer(events)) {
        watchers.remove(w);
        log.debug("store watcher dropped: it fell too far behind");
      }
    }
  }

  /** Closes every subscription; later writes and watches fail with {@link StoreException.Closed}. */
  @Override
  public void close() {
    synchronized (applyLock) {
      closed = true;
      for (WatchQueue w : watchers) {
        w.close();
      }
      watchers.clear();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException.Closed();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static <T extends Message> String idOf(Table<T> table, Message object) {
    return table.idOf((T) object);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> Message withVersion(Table<T> table, Message object, long index) {
    T typed = (T) object;
    Meta meta = table.metaOf(typed);
    if (meta.getVersion().getIndex() == index) {
      return object; // the local proposer already stamped the final version
    }
    return table.withMeta(typed, meta.toBuilder().setVersion(Version.newBuilder().setIndex(index)).build());
  }
}
