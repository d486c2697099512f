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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with a manager's dispatcher (upstream agent/session.go): after an optional delay it
 * opens the Session stream, then heartbeats and follows the Assignments stream, all asynchronously. Everything it learns,
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

  /** Timers of every session in the JVM (delays, heartbeats, registration timeouts); no I/O runs here. */
  private static final ScheduledExecutorService TIMERS;

  static {
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "agent-session-timers");
      t.setDaemon(true);
      return t;
    });
    timers.setRemoveOnCancelPolicy(true);
    TIMERS = timers;
  }

  final String address;
  private final ManagedChannel channel;
  private final BlockingQueue<Event> events;
  private final Duration rpcTimeout;
  private final Duration delay;
  private final NodeDescription description;
  private final Context.CancellableContext context = Context.current().withCancellation();
  private volatile String sessionId;
  private volatile boolean closed;
  private volatile boolean registered;
  // One field per timer: a heartbeat scheduled from a gRPC thread must not overwrite (and so escape the
  // cancellation of) the start or registration timer, nor the other way round.
  private volatile ScheduledFuture<?> startTimer;
  private volatile ScheduledFuture<?> registrationTimer;
  private volatile ScheduledFuture<?> heartbeatTimer;
  private volatile Duration heartbeatPeriod;
  /** When this session must have shown progress (opened, registered, heartbeat answered) by. */
  private volatile long progressDeadlineNanos;
  private volatile boolean stallReported;

  /** {@code channel} null: no manager is known; the session fails after the delay. */
  Session(String address, ManagedChannel channel, String previousSessionId, NodeDescription description,
      Duration delay, Duration rpcTimeout, BlockingQueue<Event> events) {
    this.address = address;
    this.channel = channel;
    this.sessionId = previousSessionId;
    this.rpcTimeout = rpcTimeout;
    this.events = events;
    this.delay = delay;
    this.description = description;
  }

  /**
   * Opens the session after the delay. Every stream is asynchronous and every wait a timer, so a
   * session holds no thread of its own: thousands of agents can share one JVM.
   */
  void start() {
    expectProgressWithin(delay.plus(rpcTimeout));
    startTimer = schedule(() -> context.run(this::open), delay.toMillis());
  }

  /**
   * Runs {@code task} on the shared timer thread after {@code millis}. A task that throws ends this
   * session with that error: the executor would otherwise keep the exception in a future nobody reads,
   * and the agent would wait forever for an event that never comes.
   */
  private ScheduledFuture<?> schedule(Runnable task, long millis) {
    return TIMERS.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.warn("{}: timer task failed", this, e);
        fail(e);
      }
    }, Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /**
   * Grace beyond the session's own timers before the agent's watchdog gives up on it: one more RPC
   * timeout (at least 1 s), so a timer thread running late under load never replaces a live session.
   */
  private Duration stallGrace() {
    return rpcTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : rpcTimeout;
  }

  private void expectProgressWithin(Duration d) {
    progressDeadlineNanos = System.nanoTime() + d.plus(stallGrace()).toNanos();
  }

  /**
   * Whether this session has shown no progress by its deadline (it neither registered, nor failed,
   * nor had a heartbeat answered in time): true once, for the agent's watchdog to replace it. Its own
   * timers should always have ended it before; this catches a lost event.
   */
  boolean stalled(long nowNanos) {
    if (closed || stallReported || nowNanos - progressDeadlineNanos < 0) {
      return false;
    }
    stallReported = true;
    return true;
  }

  String sessionId() {
    return sessionId;
  }

  /** The heartbeat period the dispatcher last gave this session, if it answered a heartbeat. */
  java.util.Optional<Duration> heartbeatPeriod() {
    return java.util.Optional.ofNullable(heartbeatPeriod);
  }

  private void open() {
    if (closed) {
      return;
    }
    if (channel == null) {
      fail(Status.UNAVAILABLE.withDescription("no manager addresses known").asRuntimeException());
      return;
    }
    SessionRequest.Builder req = SessionRequest.newBuilder().setSessionId(sessionId == null ? "" : sessionId);
    if (description != null) {
      req.setDescription(description);
    }
    expectProgressWithin(rpcTimeout);
    registrationTimer = schedule(() -> {
      if (!registered) {
        context.cancel(Status.DEADLINE_EXCEEDED.withDescription("session initiation timed out").asException());
      }
    }, rpcTimeout.toMillis());
    DispatcherGrpc.newStub(channel).session(req.build(), new Follower<>("session stream ended") {
      @Override
      public void onNext(SessionMessage msg) {
        if (registered) {
          post(new Message(Session.this, msg));
          return;
        }
        registered = true;
        cancel(registrationTimer);
        expectProgressWithin(rpcTimeout);
        sessionId = msg.getSessionId();
        post(new Message(Session.this, msg));
        post(new Registered(Session.this));
        heartbeat();
        assignments();
        logSubscriptions();
      }
    });
  }

  /** Sends one heartbeat; its answer schedules the next after the period the dispatcher gave. */
  private void heartbeat() {
    if (closed) {
      return;
    }
    context.run(() -> DispatcherGrpc.newStub(channel)
        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .heartbeat(HeartbeatRequest.newBuilder().setSessionId(sessionId).build(), new StreamObserver<>() {
          @Override
          public void onNext(HeartbeatResponse resp) {
            long millis = resp.getPeriod().getSeconds() * 1000 + resp.getPeriod().getNanos() / 1_000_000;
            heartbeatPeriod = Duration.ofMillis(millis);
            expectProgressWithin(Duration.ofMillis(millis).plus(rpcTimeout));
            if (!closed) {
              heartbeatTimer = schedule(Session.this::heartbeat, Math.max(1, millis));
            }
          }

          @Override
          public void onError(Throwable t) {
            fail(t);
          }

          @Override
          public void onCompleted() {}
        }));
  }

  private void assignments() {
    context.run(() -> DispatcherGrpc.newStub(channel).assignments(
        AssignmentsRequest.newBuilder().setSessionId(sessionId).build(), new Follower<>("assignments stream ended") {
          private String reference = "";

          @Override
          public void onNext(AssignmentsMessage msg) {
            if (!reference.isEmpty() && !reference.equals(msg.getAppliesTo())) {
              // A gap in the sequence: start over with a fresh stream and its complete set.
              fail(Status.DATA_LOSS.withDescription("assignments out of sequence").asRuntimeException());
              return;
            }
            reference = msg.getResultsIn();
            post(new Assignments(Session.this, msg));
          }
        }));
  }

  private void logSubscriptions() {
    context.run(() -> LogBrokerGrpc.newStub(channel).listenSubscriptions(
        ListenSubscriptionsRequest.getDefaultInstance(), new Follower<>("log subscriptions stream ended") {
          @Override
          public void onNext(SubscriptionMessage msg) {
            post(new LogSubscriptionRequest(Session.this, msg));
          }

          @Override
          public void onError(Throwable t) {
            if (t instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
              log.warn("manager does not support log subscriptions");
              return;
            }
            fail(t);
          }
        }));
  }

  /** A server stream whose end, clean or not, ends the session. */
  private abstract class Follower<T> implements StreamObserver<T> {
    private final String endMessage;

    Follower(String endMessage) {
      this.endMessage = endMessage;
    }

    @Override
    public void onError(Throwable t) {
      fail(t);
    }

    @Override
    public void onCompleted() {
      fail(Status.UNAVAILABLE.withDescription(endMessage).asRuntimeException());
    }
  }

  private static void cancel(ScheduledFuture<?> t) {
    if (t != null) {
      t.cancel(false);
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
  java.util.concurrent.CompletableFuture<Void> sendTaskStatuses(List<TaskStatusUpdate> updates) {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(Status.UNAVAILABLE.withDescription("session closed").asRuntimeException());
      return done;
    }
    context.run(() -> DispatcherGrpc.newStub(channel)
        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .updateTaskStatus(UpdateTaskStatusRequest.newBuilder().setSessionId(sessionId).addAllUpdates(updates).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(dev.swarmkit.api.UpdateTaskStatusResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            }));
    return done;
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
    cancel(startTimer);
    cancel(registrationTimer);
    cancel(heartbeatTimer);
    context.cancel(null);
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
