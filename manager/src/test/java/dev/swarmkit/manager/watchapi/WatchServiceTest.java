package dev.swarmkit.manager.watchapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.SelectBy;
import dev.swarmkit.api.SelectBySlot;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.Version;
import dev.swarmkit.api.WatchActionKind;
import dev.swarmkit.api.WatchGrpc;
import dev.swarmkit.api.WatchMessage;
import dev.swarmkit.api.WatchRequest;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import dev.swarmkit.api.WatchActionKind;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import static org.awaitility.Awaitility.await;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WatchServiceTest {

  private static final int ALL_ACTIONS = WatchActionKind.WATCH_ACTION_CREATE_VALUE
      | WatchActionKind.WATCH_ACTION_UPDATE_VALUE | WatchActionKind.WATCH_ACTION_REMOVE_VALUE;

  private final MemoryStore store = new MemoryStore();
  private WatchService watchService;
  private Server server;
  private ManagedChannel channel;
  private WatchGrpc.WatchBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    watchService = new WatchService(store);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(watchService).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    client = WatchGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    watchService.close();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  private Iterator<WatchMessage> watch(WatchRequest request) {
    Iterator<WatchMessage> stream = client.withDeadlineAfter(10, TimeUnit.SECONDS).watch(request);
    assertThat(stream.next()).as("the stream opens with an empty message").isEqualTo(WatchMessage.getDefaultInstance());
    return stream;
  }

  private static WatchRequest.WatchEntry entry(String kind, int actions, SelectBy... filters) {
    return WatchRequest.WatchEntry.newBuilder().setKind(kind).setActionValue(actions)
        .addAllFilters(List.of(filters)).build();
  }

  private static Service service(String id, String name) {
    return Service.newBuilder().setId(id)
        .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))).build();
  }

  @Test
  void streamsCreateUpdateAndRemoveOfTheWatchedKindOnly() {
    Iterator<WatchMessage> stream = watch(WatchRequest.newBuilder()
        .addEntries(entry("service", ALL_ACTIONS)).build());

    store.update(tx -> tx.create(Table.NODES, Node.newBuilder().setId("n1").build()));
    store.update(tx -> tx.create(Table.SERVICES, service("s1", "web")));
    Service created = store.view(tx -> tx.get(Table.SERVICES, "s1")).orElseThrow();
    store.update(tx -> tx.update(Table.SERVICES, created.toBuilder().setSpec(created.getSpec().toBuilder()
        .setAnnotations(Annotations.newBuilder().setName("web").putLabels("v", "2"))).build()));
    store.update(tx -> tx.delete(Table.SERVICES, "s1"));

    WatchMessage create = stream.next();
    assertThat(create.getEventsList()).singleElement().satisfies(e -> {
      assertThat(e.getAction()).isEqualTo(WatchActionKind.WATCH_ACTION_CREATE);
      assertThat(e.getObject().getService()).isEqualTo(created);
    });
    assertThat(create.getVersion().getIndex()).isEqualTo(created.getMeta().getVersion().getIndex());
    WatchMessage update = stream.next();
    assertThat(update.getEvents(0).getAction()).isEqualTo(WatchActionKind.WATCH_ACTION_UPDATE);
    assertThat(update.getEvents(0).getObject().getService().getSpec().getAnnotations().getLabelsMap())
        .containsEntry("v", "2");
    assertThat(update.getEvents(0).hasOldObject()).as("old objects only on request").isFalse();
    WatchMessage remove = stream.next();
    assertThat(remove.getEvents(0).getAction()).isEqualTo(WatchActionKind.WATCH_ACTION_REMOVE);
    assertThat(remove.getEvents(0).getObject().getService().getId()).isEqualTo("s1");
    assertThat(remove.getVersion().getIndex()).isGreaterThan(update.getVersion().getIndex());
  }

  @Test
  void oneMessageCarriesAllMatchingChangesOfATransaction() {
    Iterator<WatchMessage> stream = watch(WatchRequest.newBuilder()
        .addEntries(entry("task", WatchActionKind.WATCH_ACTION_CREATE_VALUE)).build());

    store.update(tx -> {
      tx.create(Table.TASKS, Task.newBuilder().setId("t1").build());
      tx.create(Table.TASKS, Task.newBuilder().setId("t2").build());
    });

    assertThat(stream.next().getEventsList()).extracting(e -> e.getObject().getTask().getId())
        .containsExactly("t1", "t2");
  }

  @Test
  void filtersSelectObjectsByNameServiceSlotAndRole() {
    Iterator<WatchMessage> stream = watch(WatchRequest.newBuilder()
        .addEntries(entry("service", ALL_ACTIONS, SelectBy.newBuilder().setNamePrefix("api").build()))
        .addEntries(entry("task", ALL_ACTIONS, SelectBy.newBuilder()
            .setSlot(SelectBySlot.newBuilder().setServiceId("s1").setSlot(2)).build()))
        .addEntries(entry("node", ALL_ACTIONS, SelectBy.newBuilder().setRole(NodeRole.MANAGER).build(),
            SelectBy.newBuilder().setName("boss").build()))
        .build());

    store.update(tx -> tx.create(Table.SERVICES, service("s0", "web")));
    store.update(tx -> tx.create(Table.TASKS, Task.newBuilder().setId("t1").setServiceId("s1").setSlot(1).build()));
    store.update(tx -> tx.create(Table.NODES, Node.newBuilder().setId("n1").setRole(NodeRole.MANAGER)
        .setDescription(NodeDescription.newBuilder().setHostname("other")).build()));
    store.update(tx -> tx.create(Table.SERVICES, service("s1", "api-gateway")));
    store.update(tx -> tx.create(Table.TASKS, Task.newBuilder().setId("t2").setServiceId("s1").setSlot(2).build()));
    store.update(tx -> tx.create(Table.NODES, Node.newBuilder().setId("n2").setRole(NodeRole.MANAGER)
        .setDescription(NodeDescription.newBuilder().setHostname("boss")).build()));

    assertThat(stream.next().getEvents(0).getObject().getService().getId()).isEqualTo("s1");
    assertThat(stream.next().getEvents(0).getObject().getTask().getId()).isEqualTo("t2");
    assertThat(stream.next().getEvents(0).getObject().getNode().getId()).isEqualTo("n2");
  }

  @Test
  void resumesAfterAVersionAndCanIncludeOldObjects() {
    store.update(tx -> tx.create(Table.SERVICES, service("s1", "web")));
    long seen = store.currentVersion();
    Service created = store.view(tx -> tx.get(Table.SERVICES, "s1")).orElseThrow();
    store.update(tx -> tx.update(Table.SERVICES, created.toBuilder().setSpec(created.getSpec().toBuilder()
        .setAnnotations(Annotations.newBuilder().setName("web").putLabels("v", "2"))).build()));
    store.update(tx -> tx.create(Table.SERVICES, service("s2", "db")));

    Iterator<WatchMessage> stream = watch(WatchRequest.newBuilder()
        .addEntries(entry("service", ALL_ACTIONS))
        .setResumeFrom(Version.newBuilder().setIndex(seen))
        .setIncludeOldObject(true)
        .build());

    WatchMessage update = stream.next();
    assertThat(update.getEvents(0).getAction()).isEqualTo(WatchActionKind.WATCH_ACTION_UPDATE);
    assertThat(update.getEvents(0).getOldObject().getService()).isEqualTo(created);
    assertThat(stream.next().getEvents(0).getObject().getService().getId()).isEqualTo("s2");
    store.update(tx -> tx.delete(Table.SERVICES, "s2"));
    assertThat(stream.next().getEvents(0).getAction()).isEqualTo(WatchActionKind.WATCH_ACTION_REMOVE);
  }

  @Test
  void malformedRequestsAreRefused() {
    assertRefused(WatchRequest.newBuilder().addEntries(entry("", ALL_ACTIONS)).build(),
        "no kind of object specified");
    assertRefused(WatchRequest.newBuilder().addEntries(entry("node", 0)).build(), "unrecognized action");
    assertRefused(WatchRequest.newBuilder().addEntries(entry("node", ALL_ACTIONS,
        SelectBy.newBuilder().setId("a").build(), SelectBy.newBuilder().setIdPrefix("b").build())).build(),
        "conflicting filters specified");
  }

  private void assertRefused(WatchRequest request, String message) {
    assertThatThrownBy(() -> client.withDeadlineAfter(10, TimeUnit.SECONDS).watch(request).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
  }

  @Test
  void aWatchClientThatStopsReadingIsDroppedWithBoundedBufferingWhileOthersAreServed() throws Exception {
    int capacity = 300;
    int changes = 3000;
    MemoryStore small = new MemoryStore(MemoryStore.Options.defaults().withWatchQueueCapacity(capacity));
    WatchService service = new WatchService(small);
    Server srv = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", srv.getPort()).usePlaintext().build();
    // Another client has its own connection (a paused stream holds its connection's HTTP/2 window).
    ManagedChannel other = NettyChannelBuilder.forAddress("127.0.0.1", srv.getPort()).usePlaintext().build();
    try {
      WatchRequest request = WatchRequest.newBuilder()
          .addEntries(entry("node", WatchActionKind.WATCH_ACTION_CREATE_VALUE)).build();
      // The slow client takes the opening message, then reads nothing.
      AtomicInteger slowReceived = new AtomicInteger();
      CompletableFuture<Status> slowEnd = new CompletableFuture<>();
      AtomicReference<ClientCallStreamObserver<WatchRequest>> slowCall = new AtomicReference<>();
      WatchGrpc.newStub(ch).watch(request, new ClientResponseObserver<WatchRequest, WatchMessage>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
          slowCall.set(call);
          call.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(WatchMessage value) {
          slowReceived.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
          slowEnd.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          slowEnd.complete(Status.OK);
        }
      });
      // The fast client reads everything on its own thread.
      AtomicInteger fastEvents = new AtomicInteger();
      Iterator<WatchMessage> fast = WatchGrpc.newBlockingStub(other).watch(request);
      fast.next();
      Thread reader = new Thread(() -> {
        while (fastEvents.get() < changes && fast.hasNext()) {
          fastEvents.addAndGet(fast.next().getEventsCount());
        }
      });
      reader.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.openStreams() == 2);

      String padding = "x".repeat(4096); // large messages fill the transport's windows quickly
      for (int i = 0; i < changes; i++) {
        String id = "n" + i;
        small.update(tx -> tx.create(Table.NODES, Node.newBuilder().setId(id)
            .setDescription(NodeDescription.newBuilder().setHostname(id + padding)).build()));
        if (i % 100 == 99) {
          int written = i + 1; // a client that keeps up stays within the queue's bound
          await().atMost(Duration.ofSeconds(30)).until(() -> fastEvents.get() >= written);
        }
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> fastEvents.get() == changes);
      await().atMost(Duration.ofSeconds(30)).until(() -> service.openStreams() == 1);
      assertThat(slowEnd).as("the slow stream is only ended once it reads again").isNotDone();
      slowCall.get().request(Integer.MAX_VALUE);
      Status end = slowEnd.get(30, TimeUnit.SECONDS);
      assertThat(end.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(end.getDescription()).startsWith("watch client too slow");
      // What reached the slow client is only what the transport windows held when it paused, not
      // every change: the manager buffered at most the watch queue's capacity for it, then let go.
      assertThat(slowReceived.get()).isLessThan(changes / 3);
    } finally {
      ch.shutdownNow();
      other.shutdownNow();
      service.close();
      srv.shutdownNow();
      small.close();
    }
  }
}
