package dev.swarmkit.agent;

import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.AssignmentsRequest;
import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.HeartbeatRequest;
import dev.swarmkit.api.HeartbeatResponse;
import dev.swarmkit.api.ListenSubscriptionsRequest;
import dev.swarmkit.api.LogBrokerGrpc;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.PublishLogsMessage;
import dev.swarmkit.api.PublishLogsResponse;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SessionRequest;
import dev.swarmkit.api.UpdateTaskStatusRequest;
import dev.swarmkit.api.UpdateTaskStatusRequest.TaskStatusUpdate;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with a manager's dispatcher (upstream agent/session.go): after an optional delay it
 * opens the Session stream, then heartbeats and follows the Assignments stream. Everything it learns,
 * and the first error, is posted to the agent's event queue; the agent then closes it and starts a
 * new one.
 */
final class Session implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  /** What a session tells its agent. */
  sealed interface Event {
    Session session();
  }

  record Registered(Session session) implements Event {}

  record Message(Session session, SessionMessage message) implements Event {}

  record Assignments(Session session, AssignmentsMessage message) implements Event {}

  record Failed(Session session, Throwable error) implements Event {}

  record LogSubscriptionRequest(Session session, SubscriptionMessage message) implements Event {}

  final String address;
  private final ManagedChannel channel;
  private final BlockingQueue<Event> events;
  private final Duration rpcTimeout;
  private final Context.CancellableContext context = Context.current().withCancellation();
  private final Thread main;
  private volatile String sessionId;
  private volatile boolean closed;

  /** {@code channel} null: no manager is known; the session fails after the delay. */
  Session(String address, ManagedChannel channel, String previousSessionId, NodeDescription description,
      Duration delay, Duration rpcTimeout, BlockingQueue<Event> events) {
    this.address = address;
    this.channel = channel;
    this.sessionId = previousSessionId;
    this.rpcTimeout = rpcTimeout;
    this.events = events;
    this.main = new Thread(() -> context.run(() -> run(delay, description)), "agent-session");
    this.main.setDaemon(true);
  }

  void start() {
    main.start();
  }

  String sessionId() {
    return sessionId;
  }

  private void run(Duration delay, NodeDescription description) {
    try {
      if (!delay.isZero()) {
        Thread.sleep(delay.toMillis());
      }
      if (channel == null) {
        fail(Status.UNAVAILABLE.withDescription("no manager addresses known").asRuntimeException());
        return;
      }
      SessionRequest.Builder req = SessionRequest.newBuilder().setSessionId(sessionId == null ? "" : sessionId);
      if (description != null) {
        req.setDescription(description);
      }
      Iterator<SessionMessage> stream = DispatcherGrpc.newBlockingStub(channel).session(req.build());
      SessionMessage first = firstMessage(stream);
      sessionId = first.getSessionId();
      post(new Message(this, first));
      post(new Registered(this));
      startThread("agent-heartbeat", this::heartbeat);
      startThread("agent-assignments", this::assignments);
      startThread("agent-log-subscriptions", this::logSubscriptions);
      while (stream.hasNext()) {
        post(new Message(this, stream.next()));
      }
      fail(Status.UNAVAILABLE.withDescription("session stream ended").asRuntimeException());
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Waits for the first session message, giving up after the RPC timeout. */
  private SessionMessage firstMessage(Iterator<SessionMessage> stream) {
    Thread waiter = Thread.currentThread();
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(rpcTimeout.toMillis());
        if (!registered) {
          context.cancel(Status.DEADLINE_EXCEEDED.withDescription("session initiation timed out").asException());
        }
      } catch (InterruptedException e) {
        // first message arrived
      }
    }, "agent-session-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      if (!stream.hasNext()) {
        throw Status.UNAVAILABLE.withDescription("session stream ended before registration").asRuntimeException();
      }
      SessionMessage first = stream.next();
      registered = true;
      return first;
    } finally {
      watchdog.interrupt();
      if (waiter.isInterrupted()) {
        Thread.interrupted();
      }
    }
  }

  private volatile boolean registered;

  private void heartbeat() {
    try {
      while (!closed) {
        HeartbeatResponse resp = DispatcherGrpc.newBlockingStub(channel)
            .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .heartbeat(HeartbeatRequest.newBuilder().setSessionId(sessionId).build());
        long millis = resp.getPeriod().getSeconds() * 1000 + resp.getPeriod().getNanos() / 1_000_000;
        Thread.sleep(Math.max(1, millis));
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void assignments() {
    try {
      Iterator<AssignmentsMessage> stream = DispatcherGrpc.newBlockingStub(channel)
          .assignments(AssignmentsRequest.newBuilder().setSessionId(sessionId).build());
      String reference = "";
      while (stream.hasNext()) {
        AssignmentsMessage msg = stream.next();
        if (!reference.isEmpty() && !reference.equals(msg.getAppliesTo())) {
          // A gap in the sequence: start over with a fresh stream and its complete set.
          throw Status.DATA_LOSS.withDescription("assignments out of sequence").asRuntimeException();
        }
        reference = msg.getResultsIn();
        post(new Assignments(this, msg));
      }
      fail(Status.UNAVAILABLE.withDescription("assignments stream ended").asRuntimeException());
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void logSubscriptions() {
    try {
      Iterator<SubscriptionMessage> stream = LogBrokerGrpc.newBlockingStub(channel)
          .listenSubscriptions(ListenSubscriptionsRequest.getDefaultInstance());
      while (stream.hasNext()) {
        post(new LogSubscriptionRequest(this, stream.next()));
      }
      fail(Status.UNAVAILABLE.withDescription("log subscriptions stream ended").asRuntimeException());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        log.warn("manager does not support log subscriptions");
        return;
      }
      fail(e);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Opens a PublishLogs stream for one subscription over this session's connection. */
  LogPublisher logPublisher(String subscriptionId) {
    StreamObserver<PublishLogsMessage> out = LogBrokerGrpc.newStub(channel).publishLogs(
        new StreamObserver<PublishLogsResponse>() {
          @Override
          public void onNext(PublishLogsResponse value) {}

          @Override
          public void onError(Throwable t) {
            log.debug("publishing logs for {} ended: {}", subscriptionId, t.toString());
          }

          @Override
          public void onCompleted() {}
        });
    return new LogPublisher() {
      private boolean done;

      @Override
      public synchronized void publish(LogMessage message) {
        if (!done) {
          out.onNext(PublishLogsMessage.newBuilder().setSubscriptionId(subscriptionId)
              .addMessages(message).build());
        }
      }

      @Override
      public synchronized void close() {
        if (done) {
          return;
        }
        done = true;
        try {
          out.onNext(PublishLogsMessage.newBuilder().setSubscriptionId(subscriptionId).setClose(true).build());
          out.onCompleted();
        } catch (RuntimeException e) {
          log.debug("closing log publisher for {} failed: {}", subscriptionId, e.toString());
        }
      }
    };
  }

  /** Sends one batch of task statuses (the status reporter's sender while this session is live). */
  void sendTaskStatuses(List<TaskStatusUpdate> updates) {
    if (closed) {
      throw Status.UNAVAILABLE.withDescription("session closed").asRuntimeException();
    }
    DispatcherGrpc.newBlockingStub(channel)
        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .updateTaskStatus(UpdateTaskStatusRequest.newBuilder().setSessionId(sessionId)
            .addAllUpdates(updates).build());
  }

  private void startThread(String name, Runnable body) {
    Context ctx = context;
    Thread t = new Thread(() -> ctx.run(body), name);
    t.setDaemon(true);
    t.start();
  }

  private void fail(Throwable e) {
    if (!closed) {
      post(new Failed(this, e));
    }
  }

  private void post(Event e) {
    if (!closed) {
      events.add(e);
    }
  }

  /** Ends every stream and thread of this session and closes its channel. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    context.cancel(null);
    main.interrupt();
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  static boolean isNotRegistered(Throwable e) {
    return e instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.NOT_FOUND;
  }

  @Override
  public String toString() {
    return "session " + sessionId + " with " + address;
  }
}
