package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.pendingTask;
import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Tx;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The scheduler's own writes flood its watch queue; it must keep up, or recover when it cannot. */
class SchedulerWatchQueueTest {

  private static void populate(MemoryStore store, int tasks) {
    store.update(tx -> {
      tx.create(Table.NODES, readyNode("a").build());
      tx.create(Table.NODES, readyNode("b").build());
      tx.create(Table.SERVICES, Service.newBuilder().setId("svc")
          .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("svc"))).build());
    });
    store.batch(b -> IntStream.range(0, tasks).forEach(i ->
        b.update(tx -> tx.create(Table.TASKS, pendingTask("t" + i, "svc").clearMeta().build()))));
  }

  private static Map<String, Long> awaitAllAssigned(MemoryStore store, int tasks) {
    await().atMost(Duration.ofSeconds(20)).until(() -> store.view(tx -> tx.all(Table.TASKS)).stream()
        .filter(t -> t.getStatus().getState() == TaskState.ASSIGNED).count() == tasks);
    List<Task> all = store.view(tx -> tx.all(Table.TASKS));
    return all.stream().collect(groupingBy(Task::getNodeId, counting()));
  }

  @Test
  void drainsItsOwnAssignmentsBetweenBatchesInsteadOfOverflowing() {
    // Each batch of 10 transactions yields 2000 updates and 10 commits: below a 2500-event queue.
    try (MemoryStore store = new MemoryStore(MemoryStore.Options.defaults().withWatchQueueCapacity(2500))) {
      populate(store, 4000);
      Scheduler scheduler = new Scheduler(store);
      scheduler.start();
      try {
        assertThat(awaitAllAssigned(store, 4000)).containsOnly(Map.entry("a", 2000L), Map.entry("b", 2000L));
        assertThat(scheduler.snapshotsLoaded()).isEqualTo(1);
      } finally {
        scheduler.stop();
      }
    }
  }

  @Test
  void keepsUpWhileItsWritesWaitForSlowCommitsAndOthersKeepWriting() throws Exception {
    // Each of the scheduler's batches waits 300 ms, as for a loaded Raft round trip, while another
    // writer creates tasks: ~1,500 events per wait plus the batch's own 2,010 would overflow a
    // 2,500-event queue that nobody reads during the wait.
    try (MemoryStore store = new MemoryStore(MemoryStore.Options.defaults().withWatchQueueCapacity(2500))) {
      populate(store, 4000);
      Scheduler scheduler = new Scheduler(new SlowBatches(store, Duration.ofMillis(300)));
      Thread creator = new Thread(() -> {
        for (int round = 0; round < 60; round++) {
          int first = 4000 + round * 100;
          store.batch(b -> IntStream.range(first, first + 100).forEach(i ->
              b.update(tx -> tx.create(Table.TASKS, pendingTask("t" + i, "svc").clearMeta().build()))));
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "test-creator");
      scheduler.start();
      creator.start();
      try {
        creator.join();
        assertThat(awaitAllAssigned(store, 10_000)).containsOnly(Map.entry("a", 5000L), Map.entry("b", 5000L));
        assertThat(scheduler.snapshotsLoaded()).isEqualTo(1);
      } finally {
        scheduler.stop();
      }
    }
  }

  /** A store whose batches take {@code delay} longer, as a replicated store's do under load. */
  private record SlowBatches(MemoryStore store, Duration delay) implements Store {
    @Override
    public <R> R view(java.util.function.Function<ReadTx, R> fn) {
      return store.view(fn);
    }

    @Override
    public void update(java.util.function.Consumer<Tx> fn) {
      store.update(fn);
    }

    @Override
    public void batch(java.util.function.Consumer<Batch> fn) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      store.batch(fn);
    }

    @Override
    public long currentVersion() {
      return store.currentVersion();
    }

    @Override
    public Subscription watch(java.util.function.Predicate<StoreEvent> filter) {
      return store.watch(filter);
    }

    @Override
    public <R> ViewAndWatch<R> viewAndWatch(java.util.function.Function<ReadTx, R> fn,
        java.util.function.Predicate<StoreEvent> filter) {
      return store.viewAndWatch(fn, filter);
    }

    @Override
    public Subscription watchFrom(long version, java.util.function.Predicate<StoreEvent> filter) {
      return store.watchFrom(version, filter);
    }
  }

  @Test
  void recoversFromFallingBehindByReadingAFreshSnapshot() {
    try (MemoryStore store = new MemoryStore(MemoryStore.Options.defaults().withWatchQueueCapacity(100))) {
      populate(store, 3000);
      Scheduler scheduler = new Scheduler(store);
      scheduler.start();
      try {
        assertThat(awaitAllAssigned(store, 3000)).containsOnly(Map.entry("a", 1500L), Map.entry("b", 1500L));
        assertThat(scheduler.snapshotsLoaded()).isGreaterThan(1);
      } finally {
        scheduler.stop();
      }
    }
  }
}
