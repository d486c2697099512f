package dev.swarmkit.agent.exec;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Adapts a blocking {@link Controller#waitExit()} to {@link Controller#exitFuture()} with one
 * waiting thread per running task: the fallback for executors that cannot notify exits. An executor
 * that learns exits from events (the simulated one; Docker's event stream) overrides {@code
 * exitFuture} and needs no thread at all.
 */
final class ExitWaiters {

  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ExecutorService WAITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "task-exit-wait-" + COUNT.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  private ExitWaiters() {}

  static CompletableFuture<Void> onThread(Controller controller) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    Future<?> waiting = WAITERS.submit(() -> {
      try {
        controller.waitExit();
        result.complete(null);
      } catch (InterruptedException e) {
        result.completeExceptionally(new CancellationException("stopped waiting"));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    result.whenComplete((v, e) -> {
      if (result.isCancelled()) {
        waiting.cancel(true);
      }
    });
    return result;
  }
}
