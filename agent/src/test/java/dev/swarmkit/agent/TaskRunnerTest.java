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
  void operationsOneAfterAnotherReuseAThreadAndTheBoundHolds() throws Exception {
    TaskRunner runner = new TaskRunner(4);
    ThreadPoolExecutor pool = (ThreadPoolExecutor) runner.operations;
    for (int i = 0; i < 50; i++) {
      runner.operations.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }
    assertThat(pool.getLargestPoolSize()).as("threads for operations that never overlapped").isLessThanOrEqualTo(2);

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
