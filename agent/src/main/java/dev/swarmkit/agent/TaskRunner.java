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
    this.operations = new OperationPool(threads);
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemons("task-timer-"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  static TaskRunner shared() {
    return SHARED;
  }

  /**
   * Starts another thread (up to its maximum) whenever more operations are in flight, queued or
   * running, than it has threads, and queues otherwise: a thread exists only for an operation in
   * flight, and idle ones end after {@link #IDLE_SECONDS}. (A plain pool with a queue only grows
   * once the queue is full.)
   */
  private static final class OperationPool extends ThreadPoolExecutor {
    private final AtomicInteger inFlight = new AtomicInteger();

    OperationPool(int threads) {
      this(threads, new GrowFirstQueue());
    }

    private OperationPool(int threads, GrowFirstQueue queue) {
      super(0, threads, IDLE_SECONDS, TimeUnit.SECONDS, queue, daemons("task-op-"), (r, pool) -> queue.enqueue(r));
      queue.pool = this;
    }

    @Override
    public void execute(Runnable operation) {
      inFlight.incrementAndGet();
      try {
        super.execute(operation);
      } catch (RuntimeException | Error e) {
        inFlight.decrementAndGet();
        throw e;
      }
    }

    @Override
    protected void afterExecute(Runnable operation, Throwable failure) {
      inFlight.decrementAndGet();
    }

    /** Whether the operation being submitted should get a new thread rather than wait in the queue. */
    boolean shouldGrow() {
      int size = getPoolSize();
      return size < getMaximumPoolSize() && inFlight.get() > size;
    }
  }

  /** Refuses an operation while the pool should grow, so the pool starts a thread for it. */
  private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
    private volatile OperationPool pool;

    @Override
    public boolean offer(Runnable r) {
      OperationPool p = pool;
      if (p != null && p.shouldGrow()) {
        return false;
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
