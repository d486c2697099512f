package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TaskRunnerTest {

  @Test
  void blockingOperationsOfManyTasksRunAtOnceInsteadOfQueueingBehindEachOther() throws Exception {
    TaskRunner runner = new TaskRunner(64);
    int stops = 32; // e.g. containers waiting out their stop grace period together
    CyclicBarrier allAtOnce = new CyclicBarrier(stops);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < stops; i++) {
      done.add(runner.operations.submit(() -> allAtOnce.await(10, TimeUnit.SECONDS)));
    }
    for (Future<?> f : done) {
      f.get(15, TimeUnit.SECONDS); // a BrokenBarrierException here: they did not all run at once
    }
  }

  @Test
  void operationsOneAfterAnotherReuseThreadsAndTheBoundHolds() throws Exception {
    TaskRunner wide = new TaskRunner(64);
    for (int i = 0; i < 200; i++) {
      wide.operations.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }
    // A caller may see its operation done a moment before the pool has counted it finished, so
    // another thread can start now and then; what must not happen is a thread per operation.
    assertThat(((ThreadPoolExecutor) wide.operations).getLargestPoolSize())
        .as("threads for 200 operations that never overlapped").isLessThanOrEqualTo(4);

    TaskRunner runner = new TaskRunner(4);
    ThreadPoolExecutor pool = (ThreadPoolExecutor) runner.operations;
    CyclicBarrier four = new CyclicBarrier(4);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      done.add(runner.operations.submit(() -> four.await(10, TimeUnit.SECONDS)));
    }
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS); // beyond the bound they queue and still all run
    }
    assertThat(pool.getLargestPoolSize()).isEqualTo(4);
  }
}
