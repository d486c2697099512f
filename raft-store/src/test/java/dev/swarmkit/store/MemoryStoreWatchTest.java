package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryStoreWatchTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MemoryStore store = new MemoryStore();

  @AfterEach
  void close() {
    store.close();
  }

  private static List<StoreEvent> drain(Subscription sub, int count) throws InterruptedException {
    List<StoreEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(sub.poll(WAIT).orElseThrow(() -> new AssertionError("no event within " + WAIT)));
    }
    return out;
  }

  @Test
  void watchDeliversEachChangeWithOldAndNewObjectThenACommit() throws Exception {
    Subscription sub = store.watch(StoreEvents.all());
    store.update(tx -> tx.create(Table.NODES, node("n1", "a")));
    store.update(tx -> {
      Node n = tx.get(Table.NODES, "n1").orElseThrow();
      tx.update(Table.NODES, n.toBuilder().setDescription(NodeDescription.newBuilder().setHostname("b")).build());
    });
    store.update(tx -> tx.delete(Table.NODES, "n1"));

    List<StoreEvent> events = drain(sub, 6);
    assertThat(events).extracting(StoreEvent::kind).containsExactly(
        StoreEvent.Kind.CREATE, StoreEvent.Kind.COMMIT,
        StoreEvent.Kind.UPDATE, StoreEvent.Kind.COMMIT,
        StoreEvent.Kind.DELETE, StoreEvent.Kind.COMMIT);
    assertThat(events).extracting(StoreEvent::version).containsExactly(1L, 1L, 2L, 2L, 3L, 3L);
    StoreEvent update = events.get(2);
    assertThat(update.table()).isEqualTo(Table.NODES);
    assertThat(((Node) update.oldObject()).getDescription().getHostname()).isEqualTo("a");
    assertThat(((Node) update.newObject()).getDescription().getHostname()).isEqualTo("b");
    assertThat(((Node) update.newObject()).getMeta().getVersion().getIndex()).isEqualTo(2);
    StoreEvent delete = events.get(4);
    assertThat(delete.newObject()).isNull();
    assertThat(((Node) delete.object()).getId()).isEqualTo("n1");
    assertThat(sub.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void filterSelectsWhichEventsAWatcherReceives() throws Exception {
    Subscription tasksOnly = store.watch(StoreEvents.inTables(Table.TASKS));
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", "a"));
      tx.create(Table.TASKS, task("t1", "s", "n1", 1));
    });
    StoreEvent e = tasksOnly.poll(WAIT).orElseThrow();
    assertThat(e.table()).isEqualTo(Table.TASKS);
    assertThat(tasksOnly.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void eventsArriveInCommitOrderWithNoGapsAcrossConcurrentWriters() throws Exception {
    Subscription commits = store.watch(StoreEvents.commits());
    int writers = 4;
    int perWriter = 50;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            String id = "t-" + writer + "-" + i;
            store.update(tx -> tx.create(Table.TASKS, task(id, "s", "n", 1)));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // Concurrent writers may share entries (group commit), so there are at most as many commits as writes.
    long last = store.currentVersion();
    assertThat(last).isBetween(1L, (long) writers * perWriter);
    assertThat(store.view(tx -> tx.all(Table.TASKS)).size()).isEqualTo(writers * perWriter);
    List<Long> versions = drain(commits, (int) last).stream().map(StoreEvent::version).toList();
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= last; v++) {
      expected.add(v);
    }
    assertThat(versions).isEqualTo(expected);
  }

  @Test
  void slowWatcherIsDroppedWithoutBlockingCommits() throws Exception {
    MemoryStore small = new MemoryStore(MemoryStore.Options.defaults().withWatchQueueCapacity(10));
    Subscription slow = small.watch(StoreEvents.all());
    Subscription fast = small.watch(StoreEvents.commits());
    for (int i = 0; i < 20; i++) {
      String id = "n" + i;
      small.update(tx -> tx.create(Table.NODES, node(id, id)));
      assertThat(fast.poll(WAIT)).isPresent();
    }
    assertThat(small.currentVersion()).isEqualTo(20);
    assertThatThrownBy(() -> slow.poll(WAIT)).isInstanceOf(StoreException.WatcherTooSlow.class);
    assertThatThrownBy(slow::take).isInstanceOf(StoreException.WatcherTooSlow.class);
    small.update(tx -> tx.create(Table.NODES, node("late", "late")));
    assertThat(fast.poll(WAIT).orElseThrow().version()).isEqualTo(21);
  }

  @Test
  void watchFromReplaysRetainedEventsAfterTheVersion() throws Exception {
    for (int i = 1; i <= 5; i++) {
      String id = "n" + i;
      store.update(tx -> tx.create(Table.NODES, node(id, id)));
    }
    Subscription sub = store.watchFrom(3, StoreEvents.all());
    store.update(tx -> tx.create(Table.NODES, node("n6", "n6")));
    List<StoreEvent> events = drain(sub, 6);
    assertThat(events).extracting(StoreEvent::version).containsExactly(4L, 4L, 5L, 5L, 6L, 6L);
    assertThat(((Node) events.get(0).newObject()).getId()).isEqualTo("n4");
    assertThat(sub.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void watchFromTheCurrentVersionReplaysNothing() throws Exception {
    store.update(tx -> tx.create(Table.NODES, node("n1", "a")));
    Subscription sub = store.watchFrom(store.currentVersion(), StoreEvents.all());
    assertThat(sub.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void watchFromAnEvictedVersionIsTooOld() {
    MemoryStore shortMemory = new MemoryStore(MemoryStore.Options.defaults().withRetainedEvents(4));
    for (int i = 1; i <= 10; i++) {
      String id = "n" + i;
      shortMemory.update(tx -> tx.create(Table.NODES, node(id, id)));
    }
    assertThatThrownBy(() -> shortMemory.watchFrom(2, StoreEvents.all()))
        .isInstanceOf(StoreException.VersionTooOld.class)
        .hasMessageContaining("cannot watch from version 2");
    assertThat(shortMemory.watchFrom(8, StoreEvents.all())).isNotNull();
  }

  @Test
  void viewAndWatchMissesNoChangeCommittedConcurrently() throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes = writer.submit(() -> {
        for (int i = 0; i < 300; i++) {
          String id = String.format("t%03d", i);
          store.update(tx -> tx.create(Table.TASKS, task(id, "s", "n", 1)));
        }
      });
      Thread.sleep(1); // let some writes land before the snapshot
      Store.ViewAndWatch<Integer> vw = store.viewAndWatch(
          tx -> tx.all(Table.TASKS).size(), StoreEvents.inTables(Table.TASKS));
      writes.get(30, TimeUnit.SECONDS);
      int later = 300 - vw.result();
      List<StoreEvent> events = drain(vw.subscription(), later);
      assertThat(events).allMatch(e -> e.kind() == StoreEvent.Kind.CREATE);
      assertThat(events.stream().map(e -> ((Task) e.newObject()).getId()).distinct()).hasSize(later);
      assertThat(vw.subscription().poll(Duration.ZERO)).isEmpty();
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  void closedSubscriptionStopsReceivingAndReportsClosed() throws Exception {
    Subscription sub = store.watch(StoreEvents.all());
    sub.close();
    store.update(tx -> tx.create(Table.NODES, node("n1", "a")));
    assertThatThrownBy(() -> sub.poll(Duration.ZERO)).isInstanceOf(StoreException.Closed.class);
  }

  @Test
  void closingTheStoreClosesItsWatchersAndRefusesWrites() {
    Subscription sub = store.watch(StoreEvents.all());
    store.close();
    assertThatThrownBy(() -> sub.poll(Duration.ZERO)).isInstanceOf(StoreException.Closed.class);
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.NODES, node("n1", "a"))))
        .isInstanceOf(StoreException.Closed.class);
  }

  @Test
  void readersNeverSeeAHalfAppliedTransaction() throws Exception {
    store.update(tx -> {
      tx.create(Table.TASKS, task("a", "s", "n0", 1));
      tx.create(Table.TASKS, task("b", "s", "n0", 2));
    });
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes = writer.submit(() -> {
        for (int i = 1; i <= 300; i++) {
          String node = "n" + i;
          store.update(tx -> {
            for (String id : List.of("a", "b")) {
              Task t = tx.get(Table.TASKS, id).orElseThrow();
              tx.update(Table.TASKS, t.toBuilder().setNodeId(node).build());
            }
          });
        }
      });
      while (!writes.isDone()) {
        List<String> nodes = store.view(tx -> List.of(
            tx.get(Table.TASKS, "a").orElseThrow().getNodeId(),
            tx.get(Table.TASKS, "b").orElseThrow().getNodeId(),
            Integer.toString(tx.find(Table.TASKS, By.nodeId(tx.get(Table.TASKS, "a").orElseThrow().getNodeId())).size())));
        assertThat(nodes.get(0)).isEqualTo(nodes.get(1));
        assertThat(nodes.get(2)).isEqualTo("2");
      }
      writes.get(30, TimeUnit.SECONDS);
    } finally {
      writer.shutdownNow();
    }
  }
}
