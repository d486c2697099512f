package dev.swarmkit.store;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a store write that blocks until its entry commits on a thread of its own, while the caller's
 * thread keeps doing something short every few milliseconds. A component that reads a bounded watch
 * queue uses it to move the events arriving meanwhile out of the queue: under load a Raft round trip
 * takes long enough for the store's other writers to overflow the queue, and the component would
 * then re-read the whole state.
 */
public final class WriteWhileWaiting implements AutoCloseable {

  private static final long STEP_MS = 10;

  private final ExecutorService writes;

  /** {@code threadName}: the writes thread's name (it starts on the first write). */
  public WriteWhileWaiting(String threadName) {
    this.writes = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs {@code write} on the writes thread and {@code whileWaiting} on this one, before, every
   * {@value #STEP_MS} ms during and after it; rethrows what {@code write} threw. An interrupt does not
   * abandon the write under way: it is waited for, and the interrupt kept.
   */
  public void run(Runnable write, Runnable whileWaiting) {
    Future<?> done = writes.submit(write);
    boolean interrupted = false;
    try {
      while (true) {
        whileWaiting.run();
        try {
          done.get(STEP_MS, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException notYet) {
          // keep waiting
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
      whileWaiting.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Lets a write under way finish, then ends the thread. */
  @Override
  public void close() {
    writes.shutdown();
  }
}
