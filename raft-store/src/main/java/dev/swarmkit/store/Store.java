package dev.swarmkit.store;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The cluster store: every object kind of the swarm (nodes, services, tasks, ...) in indexed
 * in-memory tables. Reads see a consistent snapshot without locks; writes are transactions that are
 * committed through the replication layer (Raft) before they become visible, and every committed
 * change is published to watchers in commit order.
 */
public interface Store {

  /** Runs {@code fn} against a consistent, read-only snapshot and returns its result. */
  <R> R view(Function<ReadTx, R> fn);

  /** Runs {@code fn} against a consistent, read-only snapshot. */
  default void read(Consumer<ReadTx> fn) {
    view(tx -> {
      fn.accept(tx);
      return null;
    });
  }

  /**
   * Runs {@code fn} in a write transaction and commits its changes as one replicated entry. Returns
   * once the entry is committed and applied locally. If {@code fn} throws, nothing is written.
   *
   * @throws StoreException.SequenceConflict an updated object carried a stale version
   * @throws StoreException.AlreadyExists a created object's ID or name is taken
   * @throws StoreException.NotFound an updated or deleted object does not exist
   * @throws StoreException.NotLeader this member cannot write (not the Raft leader)
   */
  void update(Consumer<Tx> fn);

  /**
   * Applies a large change as several transactions, each below the per-transaction limits (200
   * changes, 1.5 MiB, as upstream), grouped into entries of at most 2,000 changes and 1.5 MiB, so huge
   * changes neither block the log nor exceed the message size.
   */
  void batch(Consumer<Batch> fn);

  /** The highest committed version (Raft index) applied to this store. */
  long currentVersion();

  /**
   * Subscribes to committed changes matching {@code filter}. Events arrive in commit order. A
   * subscriber that falls more than the queue bound behind is closed with {@link
   * StoreException.WatcherTooSlow}.
   */
  Subscription watch(Predicate<StoreEvent> filter);

  /**
   * Atomically reads a snapshot and subscribes to every change after it, so no change can slip
   * between the two (upstream's ViewAndWatch).
   */
  <R> ViewAndWatch<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<StoreEvent> filter);

  /**
   * Subscribes to changes committed after {@code version}, replaying the ones after it that are still
   * retained (upstream's WatchFrom used by the Watch API). Fails with {@link
   * StoreException.VersionTooOld} if they are no longer retained.
   */
  Subscription watchFrom(long version, Predicate<StoreEvent> filter);

  /** A snapshot's result together with the subscription that continues after it. */
  record ViewAndWatch<R>(R result, Subscription subscription) {}

  /** The change set of one batch; each {@link #update} is split into entries under the limits. */
  interface Batch {
    void update(Consumer<Tx> fn);
  }
}
