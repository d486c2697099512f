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
 * The threads that drive task controllers: a bounded pool for the executor's (blocking) operations
 * and one timer for retries. Shared by every agent in the JVM, so threads grow with the work in
 * flight, never with the number of tasks or nodes.
 */
final class TaskRunner {

  /** Upstream runs each task in a goroutine; here at most this many executor calls run at once. */
  static final int OPERATION_THREADS = Math.min(16, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));

  private static final TaskRunner SHARED = new TaskRunner(OPERATION_THREADS);

  final ExecutorService operations;
  final ScheduledExecutorService timer;

  TaskRunner(int threads) {
    ThreadPoolExecutor ops = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemons("task-op-"));
    ops.allowCoreThreadTimeOut(true);
    this.operations = ops;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemons("task-timer-"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  static TaskRunner shared() {
    return SHARED;
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
