package dev.swarmkit.manager.logbroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.ListenSubscriptionsRequest;
import dev.swarmkit.api.LogBrokerGrpc;
import dev.swarmkit.api.LogContext;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogSelector;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.LogsGrpc;
import dev.swarmkit.api.PublishLogsMessage;
import dev.swarmkit.api.PublishLogsResponse;
import dev.swarmkit.api.SubscribeLogsMessage;
import dev.swarmkit.api.SubscribeLogsRequest;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log broker over in-process gRPC, with workers identified by a test header. */
class LogBrokerTest {

  private static final Metadata.Key<String> NODE_HEADER = Metadata.Key.of("x-test-node-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> NODE = Context.key("node-id");
  private static final String SERVICE = "service1";

  private final MemoryStore store = new MemoryStore();
  private LogBroker broker;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    broker = new LogBroker(store, RemoteNodeResolver.fromContext(NODE));
    broker.start();
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor identity = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(NODE, headers.get(NODE_HEADER)), call, headers, next);
      }
    };
    server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(broker.logsService(), identity))
        .addService(ServerInterceptors.intercept(broker.brokerService(), identity))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    broker.stop();
    store.close();
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Creates or updates the task in the store. */
  private void put(Task task) {
    store.update(tx -> {
      var current = tx.get(Table.TASKS, task.getId());
      if (current.isPresent()) {
        tx.update(Table.TASKS, task.toBuilder().setMeta(current.get().getMeta()).build());
      } else {
        tx.create(Table.TASKS, task);
      }
    });
  }

  private static Task task(String id, String node, TaskState state) {
    return Task.newBuilder().setId(id).setServiceId(SERVICE).setNodeId(node)
        .setStatus(TaskStatus.newBuilder().setState(state)).build();
  }

  private Iterator<SubscribeLogsMessage> subscribe(LogSelector selector, boolean follow) {
    return LogsGrpc.newBlockingStub(channel).subscribeLogs(SubscribeLogsRequest.newBuilder()
        .setSelector(selector).setOptions(LogSubscriptionOptions.newBuilder().setFollow(follow)).build());
  }

  private static LogSelector byService() {
    return LogSelector.newBuilder().addServiceIds(SERVICE).build();
  }

  private static LogMessage line(String node, String task, String text) {
    return LogMessage.newBuilder()
        .setContext(LogContext.newBuilder().setNodeId(node).setServiceId(SERVICE).setTaskId(task))
        .setData(ByteString.copyFromUtf8(text)).build();
  }

  /** A worker connected with ListenSubscriptions. */
  private final class Worker {
    final String node;
    final BlockingQueue<SubscriptionMessage> received = new LinkedBlockingQueue<>();
    final LogBrokerGrpc.LogBrokerStub stub;
    final io.grpc.Context.CancellableContext listening = Context.current().withCancellation();

    Worker(String node) throws Exception {
      this.node = node;
      Metadata headers = new Metadata();
      headers.put(NODE_HEADER, node);
      stub = LogBrokerGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      listening.run(() -> stub.listenSubscriptions(ListenSubscriptionsRequest.getDefaultInstance(), collect(received)));
      // The broker must know the worker before subscriptions are made.
      org.awaitility.Awaitility.await().until(() -> broker.connectedNodes().contains(node));
    }

    SubscriptionMessage nextSubscription() throws InterruptedException {
      SubscriptionMessage m = received.poll(5, TimeUnit.SECONDS);
      assertThat(m).as("subscription pushed to " + node).isNotNull();
      return m;
    }

    /** Publishes the messages on one PublishLogs stream and closes it; returns the call's outcome. */
    Status publish(String subscriptionId, List<LogMessage> messages) throws InterruptedException {
      BlockingQueue<Status> outcome = new LinkedBlockingQueue<>();
      StreamObserver<PublishLogsMessage> out = stub.publishLogs(new StreamObserver<>() {
        @Override public void onNext(PublishLogsResponse value) {}
        @Override public void onError(Throwable t) { outcome.offer(Status.fromThrowable(t)); }
        @Override public void onCompleted() { outcome.offer(Status.OK); }
      });
      out.onNext(PublishLogsMessage.newBuilder().setSubscriptionId(subscriptionId).addAllMessages(messages).build());
      out.onCompleted();
      return outcome.poll(5, TimeUnit.SECONDS);
    }
  }

  private static <T> StreamObserver<T> collect(BlockingQueue<T> into) {
    return new StreamObserver<>() {
      @Override public void onNext(T value) { into.offer(value); }
      @Override public void onError(Throwable t) {}
      @Override public void onCompleted() {}
    };
  }

  @Test
  void aSelectorIsRequiredAndMustNotBeEmpty() {
    var stub = LogsGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> stub.subscribeLogs(SubscribeLogsRequest.getDefaultInstance()).hasNext())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo("log selector must be provided");
        });
    assertThatThrownBy(() -> subscribe(LogSelector.getDefaultInstance(), false).hasNext())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getDescription()).isEqualTo("log selector must not be empty"));
  }

  @Test
  void logsOfAServiceComeFromTheNodesRunningItsTasksAndTheStreamEnds() throws Exception {
    put(task("t1", "node-a", TaskState.RUNNING));
    put(task("t2", "node-b", TaskState.COMPLETE));
    put(task("t3", "node-c", TaskState.ASSIGNED)); // never ran: no logs wanted from node-c
    Worker a = new Worker("node-a");
    Worker b = new Worker("node-b");
    Worker c = new Worker("node-c");

    Iterator<SubscribeLogsMessage> client = subscribe(byService(), false);
    SubscriptionMessage atA = a.nextSubscription();
    SubscriptionMessage atB = b.nextSubscription();
    assertThat(atA.getId()).isEqualTo(atB.getId());
    assertThat(atA.getSelector().getServiceIdsList()).containsExactly(SERVICE);
    assertThat(atA.getClose()).isFalse();

    assertThat(a.publish(atA.getId(), List.of(line("node-a", "t1", "hello from a")))).isEqualTo(Status.OK);
    assertThat(b.publish(atB.getId(), List.of(line("node-b", "t2", "hello from b")))).isEqualTo(Status.OK);

    List<String> lines = new ArrayList<>();
    client.forEachRemaining(m -> m.getMessagesList().forEach(l -> lines.add(l.getData().toStringUtf8())));
    assertThat(lines).containsExactlyInAnyOrder("hello from a", "hello from b");
    assertThat(c.received).isEmpty();
    // The ended subscription is withdrawn from the workers.
    assertThat(a.nextSubscription().getClose()).isTrue();
  }

  @Test
  void aNodeThatIsNotConnectedMakesTheStreamEndWithAWarning() {
    put(task("t1", "node-x", TaskState.RUNNING));
    Iterator<SubscribeLogsMessage> client = subscribe(byService(), false);
    assertThatThrownBy(() -> client.forEachRemaining(m -> {}))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
            .isEqualTo("warning: incomplete log stream. some logs could not be retrieved for the following "
                + "reasons: node node-x is not available"));
  }

  @Test
  void anUnscheduledTaskIsReportedAsMissing() {
    put(task("t9", "", TaskState.PENDING));
    Iterator<SubscribeLogsMessage> client = subscribe(LogSelector.newBuilder().addTaskIds("t9").build(), false);
    assertThatThrownBy(() -> client.forEachRemaining(m -> {}))
        .hasMessageContaining("task t9 has not been scheduled");
  }

  @Test
  void aWorkerMayOnlyPublishLogsAsItself() throws Exception {
    put(task("t1", "node-a", TaskState.RUNNING));
    Worker a = new Worker("node-a");
    Iterator<SubscribeLogsMessage> client = subscribe(byService(), false);
    String id = a.nextSubscription().getId();

    Status status = a.publish(id, List.of(line("node-b", "t1", "forged")));

    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).isEqualTo("invalid NodeID: expected=node-a;received=node-b");
    assertThatThrownBy(() -> client.forEachRemaining(m -> assertThat(m.getMessagesList()).isEmpty()))
        .hasMessageContaining("invalid NodeID");
  }

  @Test
  void publishingNeedsAKnownSubscription() throws Exception {
    Worker a = new Worker("node-a");
    assertThat(a.publish("", List.of()).getDescription()).isEqualTo("missing subscription ID");
    Status unknown = a.publish("nope", List.of());
    assertThat(unknown.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(unknown.getDescription()).isEqualTo("unknown subscription ID");
  }

  @Test
  void aWorkerDisconnectingMidStreamEndsTheSubscriptionWithAWarning() throws Exception {
    put(task("t1", "node-a", TaskState.RUNNING));
    Worker a = new Worker("node-a");
    Iterator<SubscribeLogsMessage> client = subscribe(byService(), false);
    a.nextSubscription();

    a.listening.cancel(null);

    assertThatThrownBy(() -> client.forEachRemaining(m -> {}))
        .hasMessageContaining("node node-a disconnected unexpectedly");
  }

  @Test
  void aFollowSubscriptionReachesNodesOfTasksScheduledLaterAndIsWithdrawnWhenTheClientLeaves() throws Exception {
    Worker b = new Worker("node-b");
    Context.CancellableContext clientCall = Context.current().withCancellation();
    Iterator<SubscribeLogsMessage> client = clientCall.call(() -> subscribe(byService(), true));

    put(task("t5", "", TaskState.PENDING));
    put(task("t5", "node-b", TaskState.ASSIGNED));
    SubscriptionMessage sub = b.nextSubscription();
    assertThat(sub.getOptions().getFollow()).isTrue();

    assertThat(b.publish(sub.getId(), List.of(line("node-b", "t5", "late line")))).isEqualTo(Status.OK);
    assertThat(client.next().getMessages(0).getData().toStringUtf8()).isEqualTo("late line");

    clientCall.cancel(null);
    SubscriptionMessage withdrawn = b.nextSubscription();
    assertThat(withdrawn.getId()).isEqualTo(sub.getId());
    assertThat(withdrawn.getClose()).isTrue();
  }

  @Test
  void workersConnectingLaterReceiveActiveFollowSubscriptions() throws Exception {
    put(task("t1", "node-a", TaskState.RUNNING));
    Context.CancellableContext clientCall = Context.current().withCancellation();
    clientCall.call(() -> subscribe(byService(), true));
    org.awaitility.Awaitility.await().until(() -> !broker.activeSubscriptionIds().isEmpty());

    Worker a = new Worker("node-a");

    assertThat(a.nextSubscription().getSelector().getServiceIdsList()).containsExactly(SERVICE);
    clientCall.cancel(null);
  }

  @Test
  void aLogsClientThatStopsReadingIsEndedWithBoundedBufferingWhileOthersAreServed() throws Exception {
    put(task("t1", "node-a", TaskState.RUNNING));
    Worker a = new Worker("node-a");
    SubscribeLogsRequest request = SubscribeLogsRequest.newBuilder().setSelector(byService())
        .setOptions(LogSubscriptionOptions.newBuilder().setFollow(true)).build();
    // The slow client (service logs --follow, paused) asks for no message at all.
    java.util.concurrent.atomic.AtomicInteger slowLines = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<Status> slowEnd = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<io.grpc.stub.ClientCallStreamObserver<SubscribeLogsRequest>> slowCall =
        new java.util.concurrent.atomic.AtomicReference<>();
    LogsGrpc.newStub(channel).subscribeLogs(request,
        new io.grpc.stub.ClientResponseObserver<SubscribeLogsRequest, SubscribeLogsMessage>() {
          @Override public void beforeStart(io.grpc.stub.ClientCallStreamObserver<SubscribeLogsRequest> call) {
            slowCall.set(call);
            call.disableAutoRequestWithInitial(0);
          }
          @Override public void onNext(SubscribeLogsMessage m) { slowLines.addAndGet(m.getMessagesCount()); }
          @Override public void onError(Throwable t) { slowEnd.complete(Status.fromThrowable(t)); }
          @Override public void onCompleted() { slowEnd.complete(Status.OK); }
        });
    String slowId = a.nextSubscription().getId();
    java.util.concurrent.atomic.AtomicInteger fastLines = new java.util.concurrent.atomic.AtomicInteger();
    Iterator<SubscribeLogsMessage> fast = LogsGrpc.newBlockingStub(channel).subscribeLogs(request);
    String fastId = a.nextSubscription().getId();
    Thread reader = new Thread(() -> {
      while (fast.hasNext()) {
        fastLines.addAndGet(fast.next().getMessagesCount());
      }
    });
    reader.setDaemon(true);
    reader.start();

    int batches = 30;
    int perBatch = 500;
    List<LogMessage> batch = new java.util.ArrayList<>();
    for (int i = 0; i < perBatch; i++) {
      batch.add(line("node-a", "t1", "line " + i));
    }
    int maxBuffered = 0;
    for (int i = 0; i < batches; i++) {
      a.publish(slowId, batch);
      assertThat(a.publish(fastId, batch)).isEqualTo(Status.OK);
      maxBuffered = Math.max(maxBuffered, broker.bufferedMessages());
      int published = (i + 1) * perBatch;
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> fastLines.get() >= published);
    }

    assertThat(fastLines.get()).isEqualTo(batches * perBatch);
    assertThat(maxBuffered).as("log messages the manager held at any time")
        .isLessThanOrEqualTo(LogSubscription.MAX_BUFFERED_MESSAGES + perBatch);
    slowCall.get().request(Integer.MAX_VALUE);
    Status end = slowEnd.get(30, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(end.getDescription()).startsWith("log subscriber too slow");
    assertThat(slowLines.get()).isLessThan(batches * perBatch);
    assertThat(broker.bufferedMessages()).isZero();
  }
}
