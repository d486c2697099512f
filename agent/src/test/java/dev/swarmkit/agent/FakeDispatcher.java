package dev.swarmkit.agent;

import com.google.protobuf.Duration;
import dev.swarmkit.api.Assignment;
import dev.swarmkit.api.AssignmentChange;
import dev.swarmkit.api.AssignmentChange.AssignmentAction;
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
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SessionRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateTaskStatusRequest;
import dev.swarmkit.api.UpdateTaskStatusResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted dispatcher for agent tests (the real one lives in the manager module): accepts sessions,
 * answers heartbeats with a 200ms period, streams the assignments the test sets and records every
 * reported task status.
 */
final class FakeDispatcher extends DispatcherGrpc.DispatcherImplBase implements AutoCloseable {

  private final Server server;
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final Map<String, Assignment> dependencies = new LinkedHashMap<>();
  private final List<StreamObserver<AssignmentsMessage>> assignmentStreams = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<SessionMessage>> sessionStreams = new CopyOnWriteArrayList<>();
  private final Map<String, List<TaskStatus>> reports = new ConcurrentHashMap<>();
  final AtomicInteger sessions = new AtomicInteger();
  final AtomicInteger heartbeats = new AtomicInteger();
  volatile String currentSession = "";
  volatile NodeDescription lastDescription;
  private final Map<StreamObserver<AssignmentsMessage>, Long> sequences = new ConcurrentHashMap<>();

  /** Log messages published per subscription, and the subscriptions a node closed. */
  final Map<String, List<LogMessage>> publishedLogs = new ConcurrentHashMap<>();
  final List<String> closedSubscriptions = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<SubscriptionMessage>> subscriptionListeners = new CopyOnWriteArrayList<>();

  private final LogBrokerGrpc.LogBrokerImplBase logBroker = new LogBrokerGrpc.LogBrokerImplBase() {
    @Override
    public void listenSubscriptions(ListenSubscriptionsRequest request, StreamObserver<SubscriptionMessage> observer) {
      subscriptionListeners.add(observer);
    }

    @Override
    public StreamObserver<PublishLogsMessage> publishLogs(StreamObserver<PublishLogsResponse> response) {
      return new StreamObserver<>() {
        @Override
        public void onNext(PublishLogsMessage msg) {
          publishedLogs.computeIfAbsent(msg.getSubscriptionId(), k -> new CopyOnWriteArrayList<>())
              .addAll(msg.getMessagesList());
          if (msg.getClose()) {
            closedSubscriptions.add(msg.getSubscriptionId());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          response.onNext(PublishLogsResponse.getDefaultInstance());
          response.onCompleted();
        }
      };
    }
  };

  /** Announces a log subscription (or its end) to connected agents. */
  void subscribe(SubscriptionMessage msg) {
    subscriptionListeners.forEach(l -> l.onNext(msg));
  }

  int subscriptionListeners() {
    return subscriptionListeners.size();
  }

  FakeDispatcher() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this)
        .addService(logBroker).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void session(SessionRequest request, StreamObserver<SessionMessage> observer) {
    String id = request.getSessionId().equals(currentSession) && !currentSession.isEmpty()
        ? currentSession : "session-" + sessions.incrementAndGet();
    currentSession = id;
    lastDescription = request.getDescription();
    sessionStreams.add(observer);
    observer.onNext(SessionMessage.newBuilder().setSessionId(id)
        .setNode(Node.newBuilder().setId("node-1").setDescription(request.getDescription())).build());
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    if (!request.getSessionId().equals(currentSession)) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("session invalid").asRuntimeException());
      return;
    }
    heartbeats.incrementAndGet();
    observer.onNext(HeartbeatResponse.newBuilder().setPeriod(Duration.newBuilder().setNanos(200_000_000)).build());
    observer.onCompleted();
  }

  @Override
  public synchronized void assignments(AssignmentsRequest request, StreamObserver<AssignmentsMessage> observer) {
    AssignmentsMessage.Builder full = AssignmentsMessage.newBuilder().setType(AssignmentsMessage.Type.COMPLETE);
    dependencies.values().forEach(d -> full.addChanges(AssignmentChange.newBuilder()
        .setAction(AssignmentAction.UPDATE).setAssignment(d)));
    tasks.values().forEach(t -> full.addChanges(update(t)));
    send(observer, full, "");
    assignmentStreams.add(observer);
  }

  @Override
  public void updateTaskStatus(UpdateTaskStatusRequest request, StreamObserver<UpdateTaskStatusResponse> observer) {
    if (!request.getSessionId().equals(currentSession)) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("session invalid").asRuntimeException());
      return;
    }
    for (UpdateTaskStatusRequest.TaskStatusUpdate u : request.getUpdatesList()) {
      reports.computeIfAbsent(u.getTaskId(), k -> new CopyOnWriteArrayList<>()).add(u.getStatus());
    }
    observer.onNext(UpdateTaskStatusResponse.getDefaultInstance());
    observer.onCompleted();
  }

  /** Adds or changes a task and streams it to connected agents. */
  synchronized void assign(Task task) {
    tasks.put(task.getId(), task);
    AssignmentsMessage.Builder msg = AssignmentsMessage.newBuilder().setType(AssignmentsMessage.Type.INCREMENTAL)
        .addChanges(update(task));
    assignmentStreams.forEach(s -> send(s, msg, null));
  }

  /**
   * Assigns (or, with {@code remove}, takes away) a secret or config: streamed to connected agents
   * and part of every later complete set.
   */
  synchronized void assignDependency(Assignment dependency, boolean remove) {
    String key = (dependency.hasSecret() ? "secret/" + dependency.getSecret().getId()
        : "config/" + dependency.getConfig().getId());
    if (remove) {
      dependencies.remove(key);
    } else {
      dependencies.put(key, dependency);
    }
    AssignmentsMessage.Builder msg = AssignmentsMessage.newBuilder().setType(AssignmentsMessage.Type.INCREMENTAL)
        .addChanges(AssignmentChange.newBuilder().setAssignment(dependency)
            .setAction(remove ? AssignmentAction.REMOVE : AssignmentAction.UPDATE));
    assignmentStreams.forEach(s -> send(s, msg, null));
  }

  /** Removes a task from the agent's assignments. */
  synchronized void unassign(String taskId) {
    tasks.remove(taskId);
    AssignmentsMessage.Builder msg = AssignmentsMessage.newBuilder().setType(AssignmentsMessage.Type.INCREMENTAL)
        .addChanges(AssignmentChange.newBuilder().setAction(AssignmentAction.REMOVE)
            .setAssignment(Assignment.newBuilder().setTask(Task.newBuilder().setId(taskId))));
    assignmentStreams.forEach(s -> send(s, msg, null));
  }

  /** Ends every stream with UNAVAILABLE and invalidates the session, as a manager failover would. */
  synchronized void dropSessions() {
    currentSession = "";
    List<StreamObserver<?>> all = new ArrayList<>(sessionStreams);
    all.addAll(assignmentStreams);
    sessionStreams.clear();
    assignmentStreams.clear();
    for (StreamObserver<?> o : all) {
      try {
        o.onError(Status.UNAVAILABLE.withDescription("manager going away").asRuntimeException());
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }

  /** Every status the agent reported for the task, in order. */
  List<TaskStatus> reports(String taskId) {
    return reports.getOrDefault(taskId, List.of());
  }

  TaskState lastState(String taskId) {
    List<TaskStatus> r = reports(taskId);
    return r.isEmpty() ? null : r.get(r.size() - 1).getState();
  }

  void clearReports() {
    reports.clear();
  }

  private void send(StreamObserver<AssignmentsMessage> o, AssignmentsMessage.Builder msg, String appliesTo) {
    long sequence = sequences.merge(o, 1L, Long::sum);
    try {
      o.onNext(msg.setAppliesTo(appliesTo != null ? appliesTo : Long.toString(sequence - 1))
          .setResultsIn(Long.toString(sequence)).build());
    } catch (RuntimeException closed) {
      assignmentStreams.remove(o);
    }
  }

  private static AssignmentChange update(Task t) {
    return AssignmentChange.newBuilder().setAction(AssignmentAction.UPDATE)
        .setAssignment(Assignment.newBuilder().setTask(t)).build();
  }

  @Override
  public void close() throws InterruptedException {
    dropSessions();
    server.shutdownNow().awaitTermination();
  }
}
