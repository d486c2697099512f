package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.cluster;
import static dev.swarmkit.store.Fixtures.config;
import static dev.swarmkit.store.Fixtures.extension;
import static dev.swarmkit.store.Fixtures.network;
import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.resource;
import static dev.swarmkit.store.Fixtures.secret;
import static dev.swarmkit.store.Fixtures.service;
import static dev.swarmkit.store.Fixtures.task;
import static dev.swarmkit.store.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MemoryStoreTransactionTest {

  private final MemoryStore store = new MemoryStore();

  static <T extends Message> List<T> all(Store s, Table<T> table) {
    return s.view(tx -> tx.all(table));
  }

  static <T extends Message> java.util.Optional<T> get(Store s, Table<T> table, String id) {
    return s.view(tx -> tx.get(table, id));
  }

  static <T extends Message> List<T> find(Store s, Table<T> table, By by) {
    return s.view(tx -> tx.find(table, by));
  }

  /** A table plus how to make an object of it with an ID and a name. */
  record Kind<T extends Message>(Table<T> table, BiFunction<String, String, T> make) {
    @Override
    public String toString() {
      return table.name();
    }
  }

  static Stream<Kind<?>> everyTable() {
    return Stream.of(
        new Kind<>(Table.NODES, Fixtures::node),
        new Kind<>(Table.SERVICES, Fixtures::service),
        new Kind<>(Table.TASKS, (id, name) -> task(id, "s1", "n1", 1).toBuilder()
            .setAnnotations(Fixtures.named(name)).build()),
        new Kind<>(Table.NETWORKS, Fixtures::network),
        new Kind<>(Table.CLUSTERS, Fixtures::cluster),
        new Kind<>(Table.SECRETS, Fixtures::secret),
        new Kind<>(Table.CONFIGS, Fixtures::config),
        new Kind<>(Table.RESOURCES, (id, name) -> resource(id, name, "kind")),
        new Kind<>(Table.VOLUMES, Fixtures::volume));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyTable")
  <T extends Message> void createReadUpdateDeleteWorksForEveryTable(Kind<T> kind) {
    Table<T> table = kind.table();
    store.update(tx -> tx.create(Table.EXTENSIONS, extension("e0", "kind")));
    store.update(tx -> tx.create(table, kind.make().apply("id1", "first")));
    long createdAt = store.currentVersion();

    T created = get(store, table, "id1").orElseThrow();
    assertThat(table.metaOf(created).getVersion().getIndex()).isEqualTo(createdAt);
    assertThat(table.metaOf(created).hasCreatedAt()).isTrue();
    assertThat(table.nameOf(created)).isEqualTo("first");

    T renamed = table.withMeta(kind.make().apply("id1", "second"), table.metaOf(created));
    store.update(tx -> tx.update(table, renamed));
    T updated = get(store, table, "id1").orElseThrow();
    assertThat(table.nameOf(updated)).isEqualTo("second");
    assertThat(table.metaOf(updated).getVersion().getIndex()).isGreaterThan(createdAt);
    assertThat(table.metaOf(updated).getCreatedAt()).isEqualTo(table.metaOf(created).getCreatedAt());
    assertThat(find(store, table, By.name("SECOND"))).containsExactly(updated);

    store.update(tx -> tx.delete(table, "id1"));
    assertThat(get(store, table, "id1")).isEmpty();
    assertThat(all(store, table)).isEmpty();
  }

  @Test
  void metaTimestampsComeFromTheStoreClock() {
    Instant t0 = Instant.parse("2026-01-02T03:04:05Z");
    MemoryStore clocked = new MemoryStore(MemoryStore.Options.defaults().withClock(Clock.fixed(t0, ZoneOffset.UTC)));
    clocked.update(tx -> tx.create(Table.NODES, node("n1", "host")));
    Node n = get(clocked, Table.NODES, "n1").orElseThrow();
    assertThat(n.getMeta().getCreatedAt().getSeconds()).isEqualTo(t0.getEpochSecond());
    assertThat(n.getMeta().getUpdatedAt()).isEqualTo(n.getMeta().getCreatedAt());
  }

  @Test
  void versionIsTheIndexOfTheLastWriteThatTouchedTheObject() {
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", "a"));
      tx.create(Table.NODES, node("n2", "b"));
    });
    store.update(tx -> tx.update(Table.NODES, tx.get(Table.NODES, "n2").orElseThrow()));
    assertThat(store.currentVersion()).isEqualTo(2);
    assertThat(get(store, Table.NODES, "n1").orElseThrow().getMeta().getVersion().getIndex())
        .isEqualTo(1);
    assertThat(get(store, Table.NODES, "n2").orElseThrow().getMeta().getVersion().getIndex())
        .isEqualTo(2);
  }

  @Test
  void updateWithAStaleVersionIsRejectedAndChangesNothing() {
    store.update(tx -> tx.create(Table.SERVICES, service("s1", "web")));
    Service read = get(store, Table.SERVICES, "s1").orElseThrow();
    store.update(tx -> tx.update(Table.SERVICES, read.toBuilder().setSpec(read.getSpec().toBuilder()
        .setAnnotations(Fixtures.named("web2"))).build()));
    long before = store.currentVersion();

    assertThatThrownBy(() -> store.update(tx -> {
      tx.create(Table.NODES, node("n9", "other"));
      tx.update(Table.SERVICES, read.toBuilder().setSpec(read.getSpec().toBuilder()
          .setAnnotations(Fixtures.named("stale"))).build());
    }))
        .isInstanceOf(StoreException.SequenceConflict.class)
        .hasMessage("update out of sequence");

    assertThat(store.currentVersion()).isEqualTo(before);
    assertThat(get(store, Table.SERVICES, "s1").orElseThrow().getSpec().getAnnotations().getName())
        .isEqualTo("web2");
    assertThat(get(store, Table.NODES, "n9")).isEmpty();
  }

  @Test
  void createWithATakenIdIsRejected() {
    store.update(tx -> tx.create(Table.TASKS, task("t1", "s", "n", 1)));
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.TASKS, task("t1", "s", "n", 2))))
        .isInstanceOf(StoreException.AlreadyExists.class)
        .hasMessageContaining("task t1 already exists");
  }

  @Test
  void duplicateNameDiffersOnlyInCaseIsRejected() {
    store.update(tx -> tx.create(Table.SERVICES, service("s1", "Web")));
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.SERVICES, service("s2", "wEB"))))
        .isInstanceOf(StoreException.AlreadyExists.class)
        .hasMessageContaining("service name \"wEB\" conflicts with an existing object");
    assertThat(all(store, Table.SERVICES)).extracting(Service::getId).containsExactly("s1");
  }

  @Test
  void renamingOntoAnotherObjectsNameIsRejected() {
    store.update(tx -> {
      tx.create(Table.NETWORKS, network("a", "front"));
      tx.create(Table.NETWORKS, network("b", "back"));
    });
    assertThatThrownBy(() -> store.update(tx -> {
      var b = tx.get(Table.NETWORKS, "b").orElseThrow();
      tx.update(Table.NETWORKS, b.toBuilder().setSpec(b.getSpec().toBuilder()
          .setAnnotations(Fixtures.named("FRONT"))).build());
    })).isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void nodesAndTasksMayShareNames() {
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", "host"));
      tx.create(Table.NODES, node("n2", "HOST"));
    });
    assertThat(find(store, Table.NODES, By.name("host"))).hasSize(2);
  }

  @Test
  void updateOrDeleteOfAMissingObjectIsNotFound() {
    assertThatThrownBy(() -> store.update(tx -> tx.update(Table.NODES, node("nope", "h"))))
        .isInstanceOf(StoreException.NotFound.class)
        .hasMessageContaining("node nope");
    assertThatThrownBy(() -> store.update(tx -> tx.delete(Table.SECRETS, "nope")))
        .isInstanceOf(StoreException.NotFound.class);
    assertThat(store.currentVersion()).isZero();
  }

  @Test
  void failingCallbackWritesNothing() {
    assertThatThrownBy(() -> store.update(tx -> {
      tx.create(Table.NODES, node("n1", "a"));
      throw new IllegalStateException("boom");
    })).hasMessage("boom");
    assertThat(all(store, Table.NODES)).isEmpty();
    assertThat(store.currentVersion()).isZero();
  }

  @Test
  void transactionSeesItsOwnPendingChanges() {
    store.update(tx -> {
      tx.create(Table.TASKS, task("t1", "s1", "n1", 1));
      assertThat(tx.find(Table.TASKS, By.serviceId("s1"))).hasSize(1);
      Task t = tx.get(Table.TASKS, "t1").orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build());
      assertThat(tx.find(Table.TASKS, By.taskState(TaskState.RUNNING))).hasSize(1);
      assertThat(tx.find(Table.TASKS, By.taskState(TaskState.PENDING))).isEmpty();
      tx.delete(Table.TASKS, "t1");
      assertThat(tx.get(Table.TASKS, "t1")).isEmpty();
    });
    assertThat(all(store, Table.TASKS)).isEmpty();
  }

  @Test
  void readersKeepTheirSnapshotWhileWritersCommit() {
    store.update(tx -> tx.create(Table.NODES, node("n1", "a")));
    List<Node> seen = store.view(tx -> {
      store.update(w -> w.create(Table.NODES, node("n2", "b")));
      return tx.all(Table.NODES);
    });
    assertThat(seen).extracting(Node::getId).containsExactly("n1");
    assertThat(all(store, Table.NODES)).hasSize(2);
  }

  @Test
  void updateWithMoreThan200ChangesIsTooLarge() {
    assertThatThrownBy(() -> store.update(tx -> {
      for (int i = 0; i < 201; i++) {
        tx.create(Table.TASKS, task("t" + i, "s", "n", i));
      }
    })).isInstanceOf(StoreException.TransactionTooLarge.class);
    assertThat(all(store, Table.TASKS)).isEmpty();
  }

  @Test
  void updateOverTheByteLimitIsTooLarge() {
    String big = "x".repeat(400 * 1024);
    assertThatThrownBy(() -> store.update(tx -> {
      for (int i = 0; i < 4; i++) {
        tx.create(Table.CONFIGS, config("c" + i, "c" + i).toBuilder()
            .setSpec(config("c" + i, "c" + i).getSpec().toBuilder()
                .setData(com.google.protobuf.ByteString.copyFromUtf8(big))).build());
      }
    })).isInstanceOf(StoreException.TransactionTooLarge.class);
  }

  @Test
  void batchSplitsLargeChangesIntoEntriesOfAtMostTheEntryLimit() {
    long before = store.currentVersion();
    int count = 2 * MemoryStore.MAX_CHANGES_PER_ENTRY + 50;
    store.batch(b -> {
      for (int i = 0; i < count; i++) {
        int n = i;
        b.update(tx -> tx.create(Table.TASKS, task(String.format("t%05d", n), "s", "n", n)));
      }
    });
    assertThat(all(store, Table.TASKS)).hasSize(count);
    assertThat(store.currentVersion() - before).isEqualTo(3);
  }

  @Test
  void batchCommitsPendingChangesBeforeACallbackThatWouldOverflowTheEntry() {
    // Callbacks of 150 changes up to just below the entry limit, then one that would overflow it.
    int fitting = MemoryStore.MAX_CHANGES_PER_ENTRY / 150;
    store.batch(b -> {
      for (int c = 0; c < fitting; c++) {
        String prefix = "a" + c + "-";
        b.update(tx -> {
          for (int i = 0; i < 150; i++) {
            tx.create(Table.TASKS, task(prefix + i, "s", "n", i));
          }
        });
      }
      b.update(tx -> {
        for (int i = 0; i < 100; i++) {
          tx.create(Table.TASKS, task("b" + i, "s", "n", i));
        }
      });
    });
    assertThat(all(store, Table.TASKS)).hasSize(fitting * 150 + 100);
    assertThat(store.currentVersion()).isEqualTo(2);
  }

  @Test
  void failingBatchCallbackDiscardsOnlyItsOwnChanges() {
    store.batch(b -> {
      b.update(tx -> tx.create(Table.NODES, node("n1", "a")));
      try {
        b.update(tx -> {
          tx.create(Table.NODES, node("n2", "b"));
          throw new IllegalStateException("boom");
        });
      } catch (IllegalStateException expected) {
        // the batch goes on
      }
      b.update(tx -> tx.create(Table.NODES, node("n3", "c")));
    });
    assertThat(all(store, Table.NODES)).extracting(Node::getId).containsExactly("n1", "n3");
  }

  @Test
  void clusterSecretConfigVolumeExtensionNamesAreUnique() {
    store.update(tx -> {
      tx.create(Table.CLUSTERS, cluster("c1", "default"));
      tx.create(Table.SECRETS, secret("x1", "pw"));
      tx.create(Table.EXTENSIONS, extension("e1", "gpu"));
      tx.create(Table.VOLUMES, volume("v1", "data"));
    });
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.CLUSTERS, cluster("c2", "DEFAULT"))))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.SECRETS, secret("x2", "pw"))))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.EXTENSIONS, extension("e2", "GPU"))))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.VOLUMES, volume("v2", "data"))))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void extensionsAreCreatedAndDeletedButNeverUpdated() {
    store.update(tx -> tx.create(Table.EXTENSIONS, extension("e1", "gpu")));
    assertThatThrownBy(() -> store.update(tx ->
        tx.update(Table.EXTENSIONS, tx.get(Table.EXTENSIONS, "e1").orElseThrow())))
        .isInstanceOf(StoreException.FailedPrecondition.class)
        .hasMessage("extensions are immutable");
    store.update(tx -> tx.delete(Table.EXTENSIONS, "e1"));
    assertThat(all(store, Table.EXTENSIONS)).isEmpty();
  }

  @Test
  void extensionMayNotTakeTheNameOfABuiltInKind() {
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.EXTENSIONS, extension("e1", "task"))))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void resourceNeedsAnExtensionDefiningItsKind() {
    assertThatThrownBy(() -> store.update(tx -> tx.create(Table.RESOURCES, resource("r1", "card", "gpu"))))
        .isInstanceOf(StoreException.NoKind.class)
        .hasMessage("object kind is unregistered");
    store.update(tx -> {
      tx.create(Table.EXTENSIONS, extension("e1", "gpu"));
      tx.create(Table.RESOURCES, resource("r1", "card", "gpu"));
    });
    assertThat(all(store, Table.RESOURCES)).hasSize(1);
  }

  @Test
  void extensionWithResourcesCannotBeDeleted() {
    store.update(tx -> {
      tx.create(Table.EXTENSIONS, extension("e1", "gpu"));
      tx.create(Table.RESOURCES, resource("r1", "card", "gpu"));
    });
    assertThatThrownBy(() -> store.update(tx -> tx.delete(Table.EXTENSIONS, "e1")))
        .isInstanceOf(StoreException.FailedPrecondition.class)
        .hasMessageContaining("objects of this type exist");
    store.update(tx -> {
      tx.delete(Table.RESOURCES, "r1");
      tx.delete(Table.EXTENSIONS, "e1");
    });
    assertThat(all(store, Table.EXTENSIONS)).isEmpty();
  }

  @Test
  void nestedUpdateFromInsideAnUpdateIsRefused() {
    assertThatThrownBy(() -> store.update(tx -> {
      tx.create(Table.NODES, node("n1", "a"));
      store.update(inner -> inner.create(Table.NODES, node("n2", "b")));
    })).isInstanceOf(IllegalStateException.class);
    assertThat(all(store, Table.NODES)).isEmpty();
  }

  @Test
  void batchFunctionThatThrowsKeepsCommittedEntriesAndDropsThePendingOnes() {
    assertThatThrownBy(() -> store.batch(b -> {
      for (int i = 0; i < MemoryStore.MAX_CHANGES_PER_ENTRY + 9; i++) {
        String id = "n" + i;
        b.update(tx -> tx.create(Table.NODES, node(id, id)));
      }
      throw new IllegalStateException("failing the current transaction");
    })).hasMessage("failing the current transaction");
    assertThat(all(store, Table.NODES)).hasSize(MemoryStore.MAX_CHANGES_PER_ENTRY);
    assertThat(store.currentVersion()).isEqualTo(1);
  }
}
