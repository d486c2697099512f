package dev.swarmkit.manager.logbroker;

import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.PublishLogsMessage;
import dev.swarmkit.api.PublishLogsResponse;
import dev.swarmkit.api.SubscribeLogsMessage;
import dev.swarmkit.api.SubscribeLogsRequest;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes task logs from workers to clients (upstream's manager/logbroker). A client's
 * {@code SubscribeLogs} becomes a subscription pushed to the workers that run the selected tasks
 * (they listen with {@code ListenSubscriptions}); those workers send the logs back with
 * {@code PublishLogs}, and the broker forwards them to the client.
 *
 * <p>Serve {@link #logsService()} (the Logs API, for managers' clients) and {@link
 * #brokerService()} (for workers). Threads: one per client subscription sends to that client; one
 * watches the store for tasks that join follow subscriptions.
 */
public final class LogBroker {

  private static final Logger log = LoggerFactory.getLogger(LogBroker.class);

  private final Store store;
  private final RemoteNodeResolver remoteNode;

  private final Map<String, LogSubscription> subscriptions = new ConcurrentHashMap<>();
  /** Connected workers' ListenSubscriptions streams, by node ID. */
  private final Map<String, Set<WorkerStream>> workers = new ConcurrentHashMap<>();

  private final Object lifecycle = new Object();
  private volatile boolean running;
  private Thread taskWatcher;
  private Subscription taskEvents;

  public LogBroker(Store store, RemoteNodeResolver remoteNode) {
    this.store = store;
    this.remoteNode = remoteNode;
  }

  public void start() {
    synchronized (lifecycle) {
      if (running) {
        throw new IllegalStateException("broker is already running");
      }
      taskEvents = store.watch(e -> e.table() == Table.TASKS
          && (e.kind() == StoreEvent.Kind.CREATE || e.kind() == StoreEvent.Kind.UPDATE));
      running = true;
      taskWatcher = new Thread(this::watchTasks, "logbroker-task-watch");
      taskWatcher.setDaemon(true);
      taskWatcher.start();
    }
  }

  /** Ends every subscription and worker stream. */
  public void stop() {
    synchronized (lifecycle) {
      if (!running) {
        throw new IllegalStateException("broker is not running");
      }
      running = false;
      taskEvents.close();
      taskWatcher.interrupt();
    }
    for (LogSubscription sub : subscriptions.values()) {
      sub.outbox().offer(new LogSubscription.Completed(null));
    }
    for (Set<WorkerStream> streams : workers.values()) {
      for (WorkerStream w : streams) {
        w.complete();
      }
    }
  }

  public BindableService logsService() {
    return new LogsService(this);
  }

  public BindableService brokerService() {
    return new LogBrokerService(this);
  }

  // ---- client side: SubscribeLogs ----------------------------------------------------------

  void subscribeLogs(SubscribeLogsRequest request, StreamObserver<SubscribeLogsMessage> client) {
    if (!request.hasSelector()) {
      client.onError(Status.INVALID_ARGUMENT.withDescription("log selector must be provided").asException());
      return;
    }
    var selector = request.getSelector();
    if (selector.getServiceIdsCount() == 0 && selector.getTaskIdsCount() == 0 && selector.getNodeIdsCount() == 0) {
      client.onError(Status.INVALID_ARGUMENT.withDescription("log selector must not be empty").asException());
      return;
    }
    if (!running) {
      client.onError(Status.UNAVAILABLE.withDescription("broker is not running").asException());
      return;
    }
    LogSubscription sub = new LogSubscription(Identity.newId(), selector, request.getOptions());
    if (client instanceof ServerCallStreamObserver<SubscribeLogsMessage> call) {
      call.setOnCancelHandler(() -> {
        sub.outbox().offer(new LogSubscription.Cancelled());
        signalReady(sub);
      });
      call.setOnReadyHandler(() -> signalReady(sub));
    }
    // Registered before matching, so a task that lands on a node meanwhile is seen by the watcher.
    subscriptions.put(sub.id(), sub);
    store.read(sub::match);
    for (String node : sub.nodes()) {
      if (!sendToNode(node, sub)) {
        sub.done(node, "node " + node + " is not available");
      }
    }
    sub.completeIfFinished();
    log.debug("subscription {} registered for nodes {}", sub.id(), sub.nodes());
    Thread sender = new Thread(() -> sendToClient(sub, client), "logbroker-subscription-" + sub.id());
    sender.setDaemon(true);
    sender.start();
  }

  private static void signalReady(LogSubscription sub) {
    synchronized (sub.readySignal) {
      sub.readySignal.notifyAll();
    }
  }

  /** Log messages waiting for clients, across all subscriptions (bounded per subscription). */
  public int bufferedMessages() {
    int n = 0;
    for (LogSubscription sub : subscriptions.values()) {
      n += sub.buffered();
    }
    return n;
  }

  /**
   * Waits until the client's transport can take a message (flow control), so a client that stops
   * reading makes its logs wait in the bounded outbox instead of in the transport's buffers. False
   * if the client went away or the subscription overflowed meanwhile.
   */
  private static boolean awaitReady(LogSubscription sub, StreamObserver<SubscribeLogsMessage> client)
      throws InterruptedException {
    if (!(client instanceof ServerCallStreamObserver<SubscribeLogsMessage> call)) {
      return true;
    }
    synchronized (sub.readySignal) {
      while (!call.isReady()) {
        if (call.isCancelled() || sub.overflowed()) {
          return false;
        }
        sub.readySignal.wait(100);
      }
    }
    return true;
  }

  /** The subscription's own thread: forwards queued logs to the client until it ends. */
  private void sendToClient(LogSubscription sub, StreamObserver<SubscribeLogsMessage> client) {
    try {
      while (true) {
        LogSubscription.Item item = sub.outbox().take();
        if (item instanceof LogSubscription.Logs logs) {
          if (!awaitReady(sub, client)) {
            continue; // the outbox now holds why: Cancelled or Overflowed
          }
          client.onNext(SubscribeLogsMessage.newBuilder().addAllMessages(logs.messages()).build());
          sub.sent(logs.messages().size());
        } else if (item instanceof LogSubscription.Overflowed o) {
          log.info("subscription {}: client too slow, ending it", sub.id());
          client.onError(Status.RESOURCE_EXHAUSTED.withDescription(
              "log subscriber too slow: more than " + o.bound() + " log messages waiting").asException());
          return;
        } else if (item instanceof LogSubscription.Completed done) {
          if (done.error() == null) {
            client.onCompleted();
          } else {
            client.onError(Status.UNKNOWN.withDescription(done.error()).asException());
          }
          return;
        } else {
          return; // cancelled by the client
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.debug("subscription {}: client stream failed: {}", sub.id(), e.toString());
    } finally {
      unregister(sub);
    }
  }

  private void unregister(LogSubscription sub) {
    subscriptions.remove(sub.id());
    sub.close();
    // Tell the workers to stop streaming for it.
    for (String node : sub.nodes()) {
      sendToNode(node, sub);
    }
  }

  /** Pushes the subscription to the node's listening streams; false if none is connected. */
  private boolean sendToNode(String node, LogSubscription sub) {
    Set<WorkerStream> streams = workers.get(node);
    if (streams == null || streams.isEmpty()) {
      return false;
    }
    for (WorkerStream w : streams) {
      w.send(sub.message());
    }
    return true;
  }

  private void watchTasks() {
    try {
      while (running) {
        StoreEvent event = taskEvents.take();
        if (!(event.object() instanceof Task task)) {
          continue;
        }
        for (LogSubscription sub : subscriptions.values()) {
          if (!sub.follow()) {
            continue;
          }
          String joined = sub.taskChanged(task);
          if (joined != null) {
            sendToNode(joined, sub);
          }
        }
      }
    } catch (InterruptedException | StoreException e) {
      log.debug("log broker task watch ended: {}", e.toString());
    }
  }

  // ---- worker side: ListenSubscriptions and PublishLogs ------------------------------------

  void listenSubscriptions(StreamObserver<SubscriptionMessage> stream) {
    String node;
    try {
      node = remoteNode.nodeId();
    } catch (StatusException e) {
      stream.onError(e);
      return;
    }
    if (!running) {
      stream.onError(Status.UNAVAILABLE.withDescription("broker is not running").asException());
      return;
    }
    WorkerStream worker = new WorkerStream(node, stream);
    if (stream instanceof ServerCallStreamObserver<SubscriptionMessage> call) {
      call.setOnCancelHandler(() -> disconnected(worker));
    }
    workers.computeIfAbsent(node, n -> new CopyOnWriteArraySet<>()).add(worker);
    log.debug("node {} listens for log subscriptions", node);
    // Everything already active for this node (a follow subscription may predate the connection).
    for (LogSubscription sub : subscriptions.values()) {
      if (sub.contains(node) && !sub.isFinished(node) && !sub.closed()) {
        worker.send(sub.message());
      }
    }
  }

  private void disconnected(WorkerStream worker) {
    Set<WorkerStream> streams = workers.get(worker.node);
    if (streams == null) {
      return;
    }
    streams.remove(worker);
    if (!streams.isEmpty()) {
      return;
    }
    workers.remove(worker.node, streams);
    for (LogSubscription sub : subscriptions.values()) {
      if (sub.contains(worker.node)) {
        sub.done(worker.node, "node " + worker.node + " disconnected unexpectedly");
      }
    }
  }

  StreamObserver<PublishLogsMessage> publishLogs(StreamObserver<PublishLogsResponse> response) {
    String node;
    try {
      node = remoteNode.nodeId();
    } catch (StatusException e) {
      response.onError(e);
      return new Ignore<>();
    }
    return new Publication(node, response);
  }

  /** One worker's PublishLogs stream: logs for exactly one subscription, from that worker only. */
  private final class Publication implements StreamObserver<PublishLogsMessage> {
    private final String node;
    private final StreamObserver<PublishLogsResponse> response;
    private LogSubscription current;
    private boolean finished;

    Publication(String node, StreamObserver<PublishLogsResponse> response) {
      this.node = node;
      this.response = response;
    }

    @Override
    public synchronized void onNext(PublishLogsMessage msg) {
      if (finished) {
        return;
      }
      if (msg.getSubscriptionId().isEmpty()) {
        fail(Status.INVALID_ARGUMENT.withDescription("missing subscription ID"));
        return;
      }
      if (current == null) {
        current = subscriptions.get(msg.getSubscriptionId());
        if (current == null) {
          fail(Status.NOT_FOUND.withDescription("unknown subscription ID"));
          return;
        }
      } else if (!msg.getSubscriptionId().equals(current.id())) {
        fail(Status.INVALID_ARGUMENT.withDescription("different subscription IDs in the same session"));
        return;
      }
      if (msg.getClose()) {
        finish(null);
        return;
      }
      // A worker may only speak for itself.
      for (LogMessage m : msg.getMessagesList()) {
        if (!m.getContext().getNodeId().equals(node)) {
          fail(Status.PERMISSION_DENIED.withDescription(
              "invalid NodeID: expected=" + node + ";received=" + m.getContext().getNodeId()));
          return;
        }
      }
      current.deliver(msg.getMessagesList());
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!finished) {
        finished = true;
        if (current != null) {
          current.done(node, Status.fromThrowable(t).getDescription() == null
              ? t.toString() : Status.fromThrowable(t).getDescription());
        }
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!finished) {
        finish(null);
      }
    }

    private void finish(String error) {
      finished = true;
      if (current != null) {
        current.done(node, error);
      }
      response.onNext(PublishLogsResponse.getDefaultInstance());
      response.onCompleted();
    }

    private void fail(Status status) {
      finished = true;
      if (current != null) {
        current.done(node, status.getDescription());
      }
      response.onError(status.asException());
    }
  }

  /** A worker's ListenSubscriptions stream; sends are serialized as gRPC requires. */
  private static final class WorkerStream {
    final String node;
    private final StreamObserver<SubscriptionMessage> stream;
    /** Subscriptions sent open and not yet closed: each is sent once, and closed once. */
    private final Set<String> open = new java.util.HashSet<>();
    private boolean ended;

    WorkerStream(String node, StreamObserver<SubscriptionMessage> stream) {
      this.node = node;
      this.stream = stream;
    }

    synchronized void send(SubscriptionMessage message) {
      boolean fresh = message.getClose() ? open.remove(message.getId()) : open.add(message.getId());
      if (ended || !fresh) {
        return;
      }
      try {
        stream.onNext(message);
      } catch (RuntimeException e) {
        ended = true; // cancelled meanwhile; the cancel handler cleans up
      }
    }

    synchronized void complete() {
      if (!ended) {
        ended = true;
        try {
          stream.onCompleted();
        } catch (RuntimeException e) {
          // already cancelled
        }
      }
    }
  }

  private static final class Ignore<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** Nodes with at least one ListenSubscriptions stream (for tests and diagnostics). */
  Set<String> connectedNodes() {
    Set<String> nodes = new java.util.TreeSet<>();
    workers.forEach((node, streams) -> {
      if (!streams.isEmpty()) {
        nodes.add(node);
      }
    });
    return nodes;
  }

  /** Subscriptions currently registered (for tests and diagnostics). */
  List<String> activeSubscriptionIds() {
    return new ArrayList<>(subscriptions.keySet());
  }
}
