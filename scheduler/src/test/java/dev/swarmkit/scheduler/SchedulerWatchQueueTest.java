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
