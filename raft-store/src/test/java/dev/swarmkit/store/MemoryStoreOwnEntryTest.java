package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.StoreActionKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A member applying the entry it proposed itself takes the state its transaction already built; the
 * result, the versions and the events must be exactly those of building the state from the entry.
 */
class MemoryStoreOwnEntryTest {

  /** Before applying each entry of this store, applies another member's entry (as a Raft log may). */
  static final class InterleavingProposer implements Proposer {
    final MemoryStore store;

    InterleavingProposer(MemoryStore store) {
      this.store = store;
    }

    @Override
    public long propose(List<StoreAction> actions) {
      long index = store.currentVersion() + 1;
      Node other = node("other-" + index, "other");
      store.applyCommitted(index, List.of(StoreAction.newBuilder()
          .setAction(StoreActionKind.STORE_ACTION_CREATE).setNode(other).build()));
      index++;
      store.applyCommitted(index, actions);
      return index;
    }
  }

  private static List<StoreEvent> drain(Subscription s) throws InterruptedException {
    List<StoreEvent> out = new ArrayList<>();
    Optional<StoreEvent> e;
    while ((e = s.poll(Duration.ofMillis(200))).isPresent()) {
      out.add(e.get());
    }
    return out;
  }

  @Test
  void anEntryAppliedAfterAnotherMembersEntryIsBuiltFromItsActionsAtItsOwnIndex() {
    InterleavingProposer[] p = new InterleavingProposer[1];
    MemoryStore store = new MemoryStore(s -> p[0] = new InterleavingProposer(s), MemoryStore.Options.defaults());

    store.update(tx -> tx.create(Table.SERVICES, service("s1", "web")));

    assertThat(store.currentVersion()).isEqualTo(2);
    assertThat(store.<Optional<Node>>view(tx -> tx.get(Table.NODES, "other-1"))).isPresent();
    Service s1 = store.<Optional<Service>>view(tx -> tx.get(Table.SERVICES, "s1")).orElseThrow();
    assertThat(s1.getMeta().getVersion().getIndex()).as("stamped with the entry's real index").isEqualTo(2);
  }

  @Test
  void anObjectCreatedAndChangedInOneEntryGivesACreateThenAnUpdateEventAndKeepsItsLastState() throws Exception {
    MemoryStore store = new MemoryStore();
    Subscription events = store.watch(e -> e.kind() != StoreEvent.Kind.COMMIT);

    store.update(tx -> {
      tx.create(Table.SERVICES, service("s1", "web"));
      Service created = tx.get(Table.SERVICES, "s1").orElseThrow();
      tx.update(Table.SERVICES, created.toBuilder().setSpec(created.getSpec().toBuilder()
          .setAnnotations(created.getSpec().getAnnotations().toBuilder().setName("web2"))).build());
      tx.create(Table.NODES, node("n1", "a"));
      tx.delete(Table.NODES, "n1");
    });

    List<StoreEvent> seen = drain(events);
    assertThat(seen).extracting(StoreEvent::kind).containsExactly(StoreEvent.Kind.CREATE, StoreEvent.Kind.UPDATE,
        StoreEvent.Kind.CREATE, StoreEvent.Kind.DELETE);
    assertThat(seen.get(1).oldObject()).isEqualTo(seen.get(0).newObject());
    assertThat(seen.get(3).oldObject()).isEqualTo(seen.get(2).newObject());
    Service s1 = store.<Optional<Service>>view(tx -> tx.get(Table.SERVICES, "s1")).orElseThrow();
    assertThat(s1.getSpec().getAnnotations().getName()).isEqualTo("web2");
    assertThat(store.<List<Service>>view(tx -> tx.find(Table.SERVICES, By.name("web2")))).hasSize(1);
    assertThat(store.<List<Service>>view(tx -> tx.find(Table.SERVICES, By.name("web")))).isEmpty();
    assertThat(store.<Optional<Node>>view(tx -> tx.get(Table.NODES, "n1"))).isEmpty();
  }

  @Test
  void anOwnEntryPastAnotherRaftEntryIsTakenWithTheRealIndexAsAFollowerBuildsIt() {
    // Ratis puts entries of its own (commit metadata, configuration) between store entries, so an own
    // entry's index is often past the provisional version: it is still taken, re-stamped.
    MemoryStore follower = new MemoryStore();
    MemoryStore leader = new MemoryStore(s -> actions -> {
      long index = s.currentVersion() + 2;
      s.applyCommitted(index, actions);
      follower.applyCommitted(index, actions);
      return index;
    }, MemoryStore.Options.defaults());

    leader.update(tx -> {
      for (int i = 0; i < 50; i++) {
        tx.create(Table.TASKS, Fixtures.task("t" + i, "s", "n", i));
      }
    });
    leader.update(tx -> {
      tx.delete(Table.TASKS, "t7");
      dev.swarmkit.api.Task t8 = tx.get(Table.TASKS, "t8").orElseThrow();
      tx.update(Table.TASKS, t8.toBuilder().setNodeId("n2").build());
      tx.create(Table.SERVICES, service("s1", "web"));
      tx.delete(Table.SERVICES, "s1");
    });

    assertThat(leader.currentVersion()).isEqualTo(4);
    assertThat(leader.snapshot()).as("the same objects, versions included, as the follower").isEqualTo(follower.snapshot());
    assertThat(leader.snapshot().getTasksList()).extracting(t -> t.getMeta().getVersion().getIndex())
        .containsOnly(2L, 4L);
    assertThat(leader.<Optional<dev.swarmkit.api.Task>>view(tx -> tx.get(Table.TASKS, "t8")).orElseThrow()
        .getMeta().getVersion().getIndex()).isEqualTo(4);
    for (MemoryStore store : List.of(leader, follower)) {
      assertThat(store.<List<dev.swarmkit.api.Task>>view(tx -> tx.find(Table.TASKS, By.serviceId("s")))).hasSize(49);
      assertThat(store.<List<dev.swarmkit.api.Task>>view(tx -> tx.find(Table.TASKS, By.nodeId("n2"))))
          .extracting(dev.swarmkit.api.Task::getId).containsExactly("t8");
      assertThat(store.<List<Service>>view(tx -> tx.find(Table.SERVICES, By.name("web")))).isEmpty();
    }
  }

  @Test
  void theSameChangesGiveTheSameStateWhetherTheTransactionsResultIsTakenOrRebuilt() {
    // Another member's entry before each of this store's entries: the root the transaction was built
    // on is gone, so each entry is rebuilt from its actions.
    InterleavingProposer[] p = new InterleavingProposer[1];
    MemoryStore rebuilt = new MemoryStore(s -> p[0] = new InterleavingProposer(s), MemoryStore.Options.defaults());
    MemoryStore taken = new MemoryStore();
    for (MemoryStore store : List.of(rebuilt, taken)) {
      store.update(tx -> {
        for (int i = 0; i < 50; i++) {
          tx.create(Table.TASKS, Fixtures.task("t" + i, "s", "n", i));
        }
      });
      store.update(tx -> tx.delete(Table.TASKS, "t7"));
    }
    assertThat(rebuilt.snapshot().getTasksCount()).isEqualTo(taken.snapshot().getTasksCount()).isEqualTo(49);
    assertThat(ids(rebuilt.snapshot().getTasksList())).isEqualTo(ids(taken.snapshot().getTasksList()));
    assertThat(rebuilt.<List<dev.swarmkit.api.Task>>view(tx -> tx.find(Table.TASKS, By.serviceId("s"))))
        .hasSize(49);
    assertThat(taken.<List<dev.swarmkit.api.Task>>view(tx -> tx.find(Table.TASKS, By.serviceId("s"))))
        .hasSize(49);
  }

  private static List<String> ids(List<dev.swarmkit.api.Task> tasks) {
    return tasks.stream().map(dev.swarmkit.api.Task::getId).toList();
  }
}
