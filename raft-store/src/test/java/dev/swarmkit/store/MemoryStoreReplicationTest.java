package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.network;
import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.service;
import static dev.swarmkit.store.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.StoreActionKind;
import dev.swarmkit.api.StoreSnapshot;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStoreReplicationTest {

  /** A proposer that records each entry and applies it with a chosen index, like a Raft log would. */
  static final class RecordingProposer implements Proposer {
    final MemoryStore store;
    final List<List<StoreAction>> entries = new ArrayList<>();
    final List<Long> indexes = new ArrayList<>();
    long nextIndex;
    RuntimeException failure;

    RecordingProposer(MemoryStore store, long firstIndex) {
      this.store = store;
      this.nextIndex = firstIndex;
    }

    @Override
    public long propose(List<StoreAction> actions) {
      if (failure != null) {
        throw failure;
      }
      long index = nextIndex;
      nextIndex += 3; // Raft logs also hold entries that are not store changes
      entries.add(actions);
      indexes.add(index);
      store.applyCommitted(index, actions);
      return index;
    }
  }

  private static void someWrites(Store store) {
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", "a"));
      tx.create(Table.SERVICES, service("s1", "web"));
      tx.create(Table.NETWORKS, network("w1", "overlay"));
    });
    store.update(tx -> tx.create(Table.TASKS, task("t1", "s1", "n1", 1)));
    store.update(tx -> {
      Task t = tx.get(Table.TASKS, "t1").orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build());
      tx.delete(Table.NETWORKS, "w1");
    });
  }

  @Test
  void followerFedTheSameCommittedEntriesEndsInTheSameState() {
    RecordingProposer[] leaderProposer = new RecordingProposer[1];
    MemoryStore leader = new MemoryStore(s -> leaderProposer[0] = new RecordingProposer(s, 10),
        MemoryStore.Options.defaults());
    someWrites(leader);

    MemoryStore follower = new MemoryStore();
    for (int i = 0; i < leaderProposer[0].entries.size(); i++) {
      follower.applyCommitted(leaderProposer[0].indexes.get(i), leaderProposer[0].entries.get(i));
    }
    assertThat(follower.snapshot()).isEqualTo(leader.snapshot());
    assertThat(follower.currentVersion()).isEqualTo(leader.currentVersion()).isEqualTo(16);
  }

  @Test
  void committedVersionIsTheEntryIndexEvenWhenTheProposerSkipsIndexes() {
    MemoryStore store = new MemoryStore(s -> new RecordingProposer(s, 10), MemoryStore.Options.defaults());
    someWrites(store);
    Task t = store.view(tx -> tx.get(Table.TASKS, "t1")).orElseThrow();
    Node n = store.view(tx -> tx.get(Table.NODES, "n1")).orElseThrow();
    assertThat(t.getMeta().getVersion().getIndex()).isEqualTo(16);
    assertThat(n.getMeta().getVersion().getIndex()).isEqualTo(10);
    // an update that read the current version goes through
    store.update(tx -> tx.update(Table.TASKS, t));
    assertThat(store.currentVersion()).isEqualTo(19);
  }

  @Test
  void proposedActionsCarryMetaStampedByTheProposingSide() {
    RecordingProposer[] p = new RecordingProposer[1];
    MemoryStore store = new MemoryStore(s -> p[0] = new RecordingProposer(s, 1), MemoryStore.Options.defaults());
    store.update(tx -> tx.create(Table.NODES, node("n1", "a")));
    StoreAction create = p[0].entries.get(0).get(0);
    assertThat(create.getAction()).isEqualTo(StoreActionKind.STORE_ACTION_CREATE);
    assertThat(create.getNode().getMeta().hasCreatedAt()).isTrue();
    assertThat(create.getNode().getMeta().getUpdatedAt()).isEqualTo(create.getNode().getMeta().getCreatedAt());
  }

  @Test
  void aRejectedProposalChangesNothing() {
    RecordingProposer[] p = new RecordingProposer[1];
    MemoryStore store = new MemoryStore(s -> p[0] = new RecordingProposer(s, 1), MemoryStore.Options.defaults());
    p[0].failure = new StoreException.NotLeader("m2");
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.NODES, node("n1", "a"))))
        .isInstanceOf(StoreException.NotLeader.class);
    assertThat(store.view(tx -> tx.all(Table.NODES)).size()).isZero();
    assertThat(store.currentVersion()).isZero();
  }

  @Test
  void anEntryAppliedTwiceIsIgnoredTheSecondTime() {
    MemoryStore store = new MemoryStore();
    List<StoreAction> entry = List.of(StoreActions.of(StoreActionKind.STORE_ACTION_CREATE, Table.NODES, node("n1", "a")));
    store.applyCommitted(5, entry);
    store.applyCommitted(5, List.of(StoreActions.of(StoreActionKind.STORE_ACTION_REMOVE, Table.NODES, node("n1", "a"))));
    boolean present = store.view(tx -> tx.get(Table.NODES, "n1").isPresent());
    assertThat(present).isTrue();
    assertThat(store.currentVersion()).isEqualTo(5);
  }

  @Test
  void snapshotRestoreRoundTripsEveryObjectAndRebuildsIndexes() {
    MemoryStore source = new MemoryStore();
    someWrites(source);
    source.update(tx -> tx.create(Table.SECRETS, Fixtures.secret("x1", "pw")));
    MemoryStore.VersionedSnapshot taken = source.versionedSnapshot();
    StoreSnapshot snapshot = taken.snapshot();
    assertThat(taken.version()).isEqualTo(source.currentVersion());
    assertThat(snapshot.getSecretsCount()).isEqualTo(1);
    assertThat(snapshot.getNetworksCount()).isZero();

    MemoryStore target = new MemoryStore();
    target.restore(snapshot, taken.version());
    assertThat(target.snapshot()).isEqualTo(snapshot);
    assertThat(target.currentVersion()).isEqualTo(source.currentVersion());
    assertThat(target.view(tx -> tx.find(Table.TASKS, By.taskState(TaskState.RUNNING))).size()).isEqualTo(1);
    assertThat(target.view(tx -> tx.find(Table.SERVICES, By.name("WEB"))).size()).isEqualTo(1);
    // the restored store keeps accepting writes with the restored versions
    target.update(tx -> tx.update(Table.NODES, tx.get(Table.NODES, "n1").orElseThrow()));
    assertThat(target.currentVersion()).isEqualTo(source.currentVersion() + 1);
  }

  @Test
  void restoreTellsWatchersWhatChangedAndForgetsOlderHistory() throws Exception {
    MemoryStore store = new MemoryStore();
    store.update(tx -> {
      tx.create(Table.NODES, node("gone", "g"));
      tx.create(Table.NODES, node("kept", "k"));
    });
    StoreSnapshot.Builder snap = StoreSnapshot.newBuilder()
        .addNodes(store.view(tx -> tx.get(Table.NODES, "kept")).orElseThrow())
        .addNodes(node("new", "n"));
    Subscription sub = store.watch(StoreEvents.all());
    store.restore(snap.build(), 40);

    List<StoreEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(sub.poll(Duration.ofSeconds(5)).orElseThrow());
    }
    assertThat(events).extracting(StoreEvent::kind)
        .containsExactlyInAnyOrder(StoreEvent.Kind.CREATE, StoreEvent.Kind.DELETE, StoreEvent.Kind.COMMIT);
    assertThat(events.get(2).kind()).isEqualTo(StoreEvent.Kind.COMMIT);
    assertThat(events.get(2).version()).isEqualTo(40);
    assertThatThrownBy(() -> store.watchFrom(1, StoreEvents.all())).isInstanceOf(StoreException.VersionTooOld.class);
  }

  @Test
  void batchNeverProposesAChangeTwiceAfterAFailedCommit() {
    RecordingProposer[] p = new RecordingProposer[1];
    MemoryStore store = new MemoryStore(s -> p[0] = new RecordingProposer(s, 1), MemoryStore.Options.defaults());
    int entry = MemoryStore.MAX_CHANGES_PER_ENTRY;
    store.batch(b -> {
      for (int i = 0; i < 2 * entry + 50; i++) {
        String id = "t" + i;
        if (i == entry + 50) {
          p[0].failure = new StoreException.NotLeader(null);
        }
        if (i == 2 * entry + 20) {
          p[0].failure = null;
        }
        try {
          b.update(tx -> tx.create(Table.TASKS, task(id, "s", "n", 1)));
        } catch (StoreException.NotLeader expected) {
          // the second entry (t<entry> .. t<2 * entry - 1>) was refused
        }
      }
    });
    List<String> proposed = p[0].entries.stream().flatMap(List::stream).map(a -> a.getTask().getId()).toList();
    assertThat(proposed).doesNotHaveDuplicates();
    assertThat(store.view(tx -> tx.all(Table.TASKS)).size()).isEqualTo(proposed.size()).isEqualTo(entry + 50);
  }
}
