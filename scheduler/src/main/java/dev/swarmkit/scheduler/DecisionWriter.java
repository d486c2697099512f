package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits scheduling decisions in as few store transactions as the per-transaction limit allows.
 * Each task is re-read inside the transaction; one that changed since the scheduler read it is
 * skipped (reported as failed) rather than overwritten, and one that is gone is reported as vanished.
 */
final class DecisionWriter {

  /** Upstream's per-transaction change limit. */
  static final int MAX_CHANGES_PER_TX = 200;
  /** Transactions per store batch between two drains of the watch queue. */
  static final int TXS_PER_BATCH = 10;

  private static final Logger log = LoggerFactory.getLogger(DecisionWriter.class);

  /**
   * Runs one store batch (a call that blocks until its entry commits); the scheduler hands it to a
   * thread of its own and keeps its watch queue from overflowing meanwhile.
   */
  interface BatchRunner {
    void run(Runnable batch);
  }

  private final Store store;
  private final BatchRunner runner;

  DecisionWriter(Store store) {
    this(store, Runnable::run);
  }

  DecisionWriter(Store store, BatchRunner runner) {
    this.store = store;
    this.runner = runner;
  }

  /** What happened to each decision. */
  record Outcome(List<Decision> written, List<Decision> failed, List<Decision> vanished) {}

  /**
   * Writes the decisions, {@link #TXS_PER_BATCH} transactions per store batch, calling {@code
   * betweenBatches} after each batch so the caller can drain its watch queue (the scheduler's own
   * writes would otherwise overflow it on large ticks).
   */
  Outcome write(Map<String, Decision> decisions, Runnable betweenBatches) {
    List<Decision> written = new ArrayList<>(decisions.size());
    List<Decision> failed = new ArrayList<>();
    List<Decision> vanished = new ArrayList<>();
    // Written node by node: a node's new tasks then land in one entry, so its dispatcher stream
    // sends them in one assignment message and the node reports their progress together (spread
    // placement interleaves the nodes, which gave every node one task per entry).
    List<Decision> byNode = new ArrayList<>(decisions.values());
    byNode.sort(Comparator.comparing(d -> d.newTask().getNodeId()));
    Iterator<Decision> pending = byNode.iterator();
    while (pending.hasNext()) {
      try {
        runner.run(() -> store.batch(batch -> {
          for (int txs = 0; txs < TXS_PER_BATCH && pending.hasNext(); txs++) {
            List<Decision> chunk = new ArrayList<>(MAX_CHANGES_PER_TX);
            while (pending.hasNext() && chunk.size() < MAX_CHANGES_PER_TX) {
              chunk.add(pending.next());
            }
            List<Decision> chunkWritten = new ArrayList<>(chunk.size());
            List<Decision> chunkFailed = new ArrayList<>();
            List<Decision> chunkVanished = new ArrayList<>();
            batch.update(tx -> {
              // Start from a clean slate should the store run the callback again.
              chunkWritten.clear();
              chunkFailed.clear();
              chunkVanished.clear();
              for (Decision d : chunk) {
                apply(tx, d, chunkWritten, chunkFailed, chunkVanished);
              }
            });
            written.addAll(chunkWritten);
            failed.addAll(chunkFailed);
            vanished.addAll(chunkVanished);
          }
        }));
      } catch (RuntimeException e) {
        log.error("scheduler tick transaction failed", e);
        // Treat everything as failed: the watch reports whatever did commit, and stale retries are
        // caught by the version check below.
        written.clear();
        vanished.clear();
        failed.clear();
        failed.addAll(decisions.values());
        break;
      }
      // Outside the try: a watch failure here (the scheduler fell behind) must reach the loop.
      betweenBatches.run();
    }
    return new Outcome(written, failed, vanished);
  }

  private static void apply(Tx tx, Decision d, List<Decision> written, List<Decision> failed,
      List<Decision> vanished) {
    Optional<Task> stored = tx.get(Table.TASKS, d.oldTask().getId());
    if (stored.isEmpty()) {
      vanished.add(d);
      return;
    }
    Task current = stored.get();
    if (current.getStatus().getState() == d.newTask().getStatus().getState()
        && current.getStatus().getMessage().equals(d.newTask().getStatus().getMessage())
        && current.getStatus().getErr().equals(d.newTask().getStatus().getErr())) {
      return; // nothing new to say
    }
    if (current.getMeta().getVersion().getIndex() != d.oldTask().getMeta().getVersion().getIndex()) {
      log.debug("scheduler failed to update task {}; it changed meanwhile, will retry", current.getId());
      failed.add(d);
      return;
    }
    tx.update(Table.TASKS, d.newTask());
    written.add(d);
  }
}
