package dev.swarmkit.agent;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that drive task controllers: a pool for the executor's (blocking) operations and one
 * timer for retries. Shared by every agent in the JVM, so threads grow with the work in flight,
 * never with the number of tasks or nodes.
 */
final class TaskRunner {

  /**
   * Upstream runs each task in a goroutine; here at most this many executor calls run at once. The
   * calls block (a container's stop waits out its grace period, a pull its download), so the bound
   * is wide: with a tight one, stopping many containers at once took several grace periods.
   */
  static final int OPERATION_THREADS = 64;
  /** How long an operation thread stays idle before it ends. */
  static final int IDLE_SECONDS = 10;

  private static final TaskRunner SHARED = new TaskRunner(OPERATION_THREADS);

  final ExecutorService operations;
  final ScheduledExecutorService timer;

  TaskRunner(int threads) {
    GrowFirstQueue queue = new GrowFirstQueue();
    ThreadPoolExecutor ops = new ThreadPoolExecutor(0, threads, IDLE_SECONDS, TimeUnit.SECONDS, queue,
        daemons("task-op-"), (r, pool) -> queue.enqueue(r));
    queue.pool = ops;
    this.operations = ops;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemons("task-timer-"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  static TaskRunner shared() {
    return SHARED;
  }

  /**
   * Makes the pool start another thread (up to its maximum) instead of queueing while every thread
   * is busy, and queue once one is idle or none may be added: a thread exists only for an operation
   * in flight, and idle ones end after {@link #IDLE_SECONDS}.
   */
  private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
    private volatile ThreadPoolExecutor pool;

    @Override
    public boolean offer(Runnable r) {
      ThreadPoolExecutor p = pool;
      // Operations already queued count as busy: an idle thread takes one of them first.
      if (p != null && p.getPoolSize() < p.getMaximumPoolSize() && p.getActiveCount() + size() >= p.getPoolSize()) {
        return false; // the pool adds a thread for it
      }
      return super.offer(r);
    }

    /** Queues an operation the pool refused (at its maximum): it runs when a thread is free. */
    void enqueue(Runnable r) {
      super.offer(r);
    }
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
