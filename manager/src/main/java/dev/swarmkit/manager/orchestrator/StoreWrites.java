package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store writes whose failure is logged rather than propagated: the orchestrators act on a stream of
 * events and a failed write is corrected by a later reconciliation, as upstream logs and moves on.
 */
public final class StoreWrites {

  private static final Logger log = LoggerFactory.getLogger(StoreWrites.class);

  private StoreWrites() {}

  /** One sub-transaction of a batch; a failure rolls back only this one. */
  public static boolean tryUpdate(Store.Batch batch, String what, Consumer<Tx> fn) {
    try {
      batch.update(fn);
      return true;
    } catch (RuntimeException e) {
      log.warn("failed to {}: {}", what, e.toString());
      return false;
    }
  }

  public static boolean tryUpdate(Store store, String what, Consumer<Tx> fn) {
    try {
      store.update(fn);
      return true;
    } catch (RuntimeException e) {
      log.warn("failed to {}: {}", what, e.toString());
      return false;
    }
  }

  /** Deletes a task unless another component already did. */
  public static void deleteTaskIfPresent(Tx tx, String taskId) {
    if (tx.get(Table.TASKS, taskId).isPresent()) {
      tx.delete(Table.TASKS, taskId);
    }
  }

  public static void tryBatch(Store store, String what, Consumer<Store.Batch> fn) {
    try {
      store.batch(fn);
    } catch (RuntimeException e) {
      log.warn("batch to {} failed: {}", what, e.toString());
    }
  }
}
