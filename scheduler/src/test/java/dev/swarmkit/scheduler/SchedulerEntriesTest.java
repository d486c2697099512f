package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.pendingTask;
import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How the scheduler's decisions reach the store: what one entry carries decides what a node is sent. */
class SchedulerEntriesTest {

  @Test
  void aNodesNewTasksAreWrittenTogetherSoItReceivesThemInOneAssignment() throws Exception {
    try (MemoryStore store = new MemoryStore()) {
      store.update(tx -> {
        for (String n : List.of("a", "b", "c")) {
          tx.create(Table.NODES, readyNode(n).build());
        }
        tx.create(Table.SERVICES, Service.newBuilder().setId("svc")
            .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("svc"))).build());
      });
      store.batch(b -> IntStream.range(0, 30).forEach(i ->
          b.update(tx -> tx.create(Table.TASKS, pendingTask("t" + i, "svc").clearMeta().build()))));
      List<String> assignedTo = new ArrayList<>();
      try (Subscription updates = store.watch(e -> e.table() == Table.TASKS && e.kind() == StoreEvent.Kind.UPDATE)) {
        Scheduler scheduler = new Scheduler(store);
        scheduler.start();
        try {
          while (assignedTo.size() < 30) {
            Optional<StoreEvent> e = updates.poll(Duration.ofSeconds(10));
            assertThat(e).as("an assignment within 10 s").isPresent();
            Task t = (Task) e.get().object();
            if (t.getStatus().getState() == TaskState.ASSIGNED) {
              assignedTo.add(t.getNodeId());
            }
          }
        } finally {
          scheduler.stop();
        }
      }
      // Spread placement gives each node 10 tasks; each node's come one after another, not interleaved.
      assertThat(assignedTo).filteredOn("a"::equals).hasSize(10);
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < assignedTo.size(); i++) {
        if (i == 0 || !assignedTo.get(i).equals(assignedTo.get(i - 1))) {
          runs.add(assignedTo.get(i));
        }
      }
      assertThat(runs).as("nodes in the order their tasks were written").hasSize(3)
          .hasSameElementsAs(new LinkedHashSet<>(List.of("a", "b", "c")));
    }
  }
}
