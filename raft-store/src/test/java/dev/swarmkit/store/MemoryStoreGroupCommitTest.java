package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.service;
import static dev.swarmkit.store.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit: writers that queue while an entry is being replicated share the next entry, each
 * still seeing the changes of the writers before it, failing alone when its own transaction fails,
 * and failing together only when their shared entry is not committed.
 */
class MemoryStoreGroupCommitTest {

  /** Applies like the local proposer, but the first proposal waits for {@link #release}. */
  static final class GatedProposer implements Proposer {
    final MemoryStore store;
    final CountDownLatch firstProposing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<List<StoreAction>> entries = new CopyOnWriteArrayList<>();
    volatile RuntimeException refuseFromSecond;

    GatedProposer(MemoryStore store) {
      this.store = store;
    }

    @Override
    public long propose(List<StoreAction> actions) {
      if (entries.isEmpty()) {
        firstProposing.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      } else if (refuseFromSecond != null) {
        throw refuseFromSecond;
      }
      entries.add(actions);
      long index = store.currentVersion() + 1;
      store.applyCommitted(index, actions);
      return index;
    }
  }

  private final GatedProposer[] proposer = new GatedProposer[1];
  private final MemoryStore store = new MemoryStore(s -> proposer[0] = new GatedProposer(s), MemoryStore.Options.defaults());
  private final ExecutorService writers = Executors.newCachedThreadPool();

  @AfterEach
  void stopWriters() {
    writers.shutdownNow();
  }

  /** Starts a write on its own thread and waits until it is queued behind the gated first entry. */
  private Future<?> queuedWrite(Consumer<Tx> fn) {
    int queuedBefore = store.queuedWrites();
    Future<?> f = writers.submit(() -> store.update(fn));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.queuedWrites() > queuedBefore);
    return f;
  }

  private Future<?> firstWriteHeldInFlight() throws InterruptedException {
    Future<?> first = writers.submit(() -> store.update(tx -> tx.create(Table.NODES, node("n0", "h0"))));
    assertThat(proposer[0].firstProposing.await(5, TimeUnit.SECONDS)).isTrue();
    return first;
  }

  private List<Node> nodes() {
    return store.view(tx -> tx.all(Table.NODES));
  }

  private List<Task> tasks() {
    return store.view(tx -> tx.all(Table.TASKS));
  }

  @Test
  void writersQueuedBehindAnEntryInFlightShareTheNextEntry() throws Exception {
    Future<?> first = firstWriteHeldInFlight();
    List<Future<?>> queued = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      String id = "n" + i;
      queued.add(queuedWrite(tx -> tx.create(Table.NODES, node(id, "h" + id))));
    }

    proposer[0].release.countDown();
    first.get(5, TimeUnit.SECONDS);
    for (Future<?> f : queued) {
      f.get(5, TimeUnit.SECONDS);
    }

    assertThat(proposer[0].entries).hasSize(2);
    assertThat(proposer[0].entries.get(1)).hasSize(5);
    assertThat(nodes()).extracting(Node::getId)
        .containsExactlyInAnyOrder("n0", "n1", "n2", "n3", "n4", "n5");
  }

  @Test
  void aQueuedTransactionSeesTheChangesOfTheOnesQueuedBeforeIt() throws Exception {
    Future<?> first = firstWriteHeldInFlight();
    Future<?> create = queuedWrite(tx -> tx.create(Table.SERVICES, service("s1", "same-name")));
    Future<?> clash = queuedWrite(tx -> tx.create(Table.SERVICES, service("s2", "same-name")));

    proposer[0].release.countDown();
    first.get(5, TimeUnit.SECONDS);
    create.get(5, TimeUnit.SECONDS);

    assertThatThrownBy(() -> clash.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.AlreadyExists.class);
    assertThat(store.<java.util.Optional<Service>>view(tx -> tx.get(Table.SERVICES, "s2"))).isEmpty();
  }

  @Test
  void aTransactionThatThrowsFailsAloneAndTheOthersInItsEntryCommit() throws Exception {
    Future<?> first = firstWriteHeldInFlight();
    Future<?> before = queuedWrite(tx -> tx.create(Table.NODES, node("n1", "a")));
    Future<?> failing = queuedWrite(tx -> {
      tx.create(Table.NODES, node("n2", "b"));
      throw new IllegalArgumentException("refused by its own check");
    });
    Future<?> after = queuedWrite(tx -> tx.create(Table.NODES, node("n3", "c")));

    proposer[0].release.countDown();
    first.get(5, TimeUnit.SECONDS);
    before.get(5, TimeUnit.SECONDS);
    after.get(5, TimeUnit.SECONDS);

    assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refused by its own check");
    assertThat(nodes()).extracting(Node::getId)
        .containsExactlyInAnyOrder("n0", "n1", "n3");
    assertThat(proposer[0].entries.get(1)).hasSize(2);
  }

  @Test
  void anEntryTheProposerRefusesFailsEveryTransactionInItAndWritesNothing() throws Exception {
    Future<?> first = firstWriteHeldInFlight();
    Future<?> a = queuedWrite(tx -> tx.create(Table.NODES, node("n1", "a")));
    Future<?> b = queuedWrite(tx -> tx.create(Table.NODES, node("n2", "b")));
    proposer[0].refuseFromSecond = new StoreException.NotLeader("other");

    proposer[0].release.countDown();
    first.get(5, TimeUnit.SECONDS);

    for (Future<?> f : List.of(a, b)) {
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.NotLeader.class);
    }
    assertThat(nodes()).extracting(Node::getId).containsExactly("n0");
  }

  @Test
  void queuedTransactionsThatOverflowOneEntryAreCommittedInSeveral() throws Exception {
    Future<?> first = firstWriteHeldInFlight();
    List<Future<?>> queued = new ArrayList<>();
    int writers = MemoryStore.MAX_CHANGES_PER_ENTRY / 150 + 2;
    for (int w = 0; w < writers; w++) {
      String prefix = "w" + w + "-";
      queued.add(queuedWrite(tx -> {
        for (int i = 0; i < 150; i++) {
          tx.create(Table.TASKS, task(prefix + i, "s", "n", i));
        }
      }));
    }

    proposer[0].release.countDown();
    first.get(5, TimeUnit.SECONDS);
    for (Future<?> f : queued) {
      f.get(5, TimeUnit.SECONDS);
    }

    assertThat(tasks()).hasSize(writers * 150);
    assertThat(proposer[0].entries).hasSizeGreaterThan(2).allSatisfy(e -> assertThat(e.size())
        .isLessThanOrEqualTo(MemoryStore.MAX_CHANGES_PER_ENTRY));
    assertThat(proposer[0].entries.subList(1, proposer[0].entries.size())).extracting(List::size)
        .as("each writer's changes stay in one entry").allSatisfy(n -> assertThat(n % 150).isZero());
  }

  @Test
  void eachTransactionRunsExactlyOnceAndEveryWriterReturnsAfterItsChangeIsVisible() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    int writersCount = 64;
    List<CompletableFuture<Boolean>> sawOwnChange = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    proposer[0].release.countDown(); // no gate: plain concurrency
    for (int i = 0; i < writersCount; i++) {
      String id = "t" + i;
      CompletableFuture<Boolean> saw = new CompletableFuture<>();
      sawOwnChange.add(saw);
      writers.submit(() -> {
        try {
          start.await();
          store.update(tx -> {
            runs.incrementAndGet();
            tx.create(Table.TASKS, task(id, "s", "n", 1));
          });
          saw.complete(store.<java.util.Optional<Task>>view(tx -> tx.get(Table.TASKS, id)).isPresent());
        } catch (Throwable e) {
          saw.completeExceptionally(e);
        }
        return null;
      });
    }
    start.countDown();

    for (CompletableFuture<Boolean> saw : sawOwnChange) {
      assertThat(saw.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs).hasValue(writersCount);
    assertThat(tasks()).hasSize(writersCount);
  }
}
