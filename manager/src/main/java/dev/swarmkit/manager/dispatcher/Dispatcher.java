package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.AssignmentsRequest;
import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.HeartbeatRequest;
import dev.swarmkit.api.HeartbeatResponse;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SessionRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TasksMessage;
import dev.swarmkit.api.TasksRequest;
import dev.swarmkit.api.UpdateTaskStatusRequest;
import dev.swarmkit.api.UpdateTaskStatusResponse;
import dev.swarmkit.api.UpdateVolumeStatusRequest;
import dev.swarmkit.api.UpdateVolumeStatusResponse;
import dev.swarmkit.manager.dispatcher.RegisteredNodes.RegisteredNode;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import io.grpc.Context;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Dispatcher gRPC service (upstream manager/dispatcher): agents open a session, heartbeat,
 * receive their task assignments and report task status. It runs only on the leader: the manager
 * calls {@link #start()} on gaining leadership and {@link #stop()} on losing it; in between every
 * RPC fails with ABORTED "dispatcher is stopped".
 */
public final class Dispatcher extends DispatcherGrpc.DispatcherImplBase {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Upstream's modificationBatchLimit and batchingWaitTime for assignment messages. */
  static final int MODIFICATION_BATCH_LIMIT = 100;
  static final Duration BATCHING_WAIT = Duration.ofMillis(100);
  /** How often idle streams re-check that their session is still valid. */
  private static final Duration STREAM_CHECK = Duration.ofMillis(500);

  private final Store store;
  private final DispatcherOptions options;
  private final NodeIdentityResolver identity;
  private final ManagerList managerList;
  private volatile LeaderTerm term;

  public Dispatcher(Store store, DispatcherOptions options, NodeIdentityResolver identity,
      ManagerList managerList) {
    this.store = store;
    this.options = options;
    this.identity = identity;
    this.managerList = managerList;
  }

  /** Starts serving: called when this manager becomes leader. */
  public synchronized void start() {
    if (term != null) {
      throw new IllegalStateException("dispatcher is already running");
    }
    log.info("dispatcher starting");
    LeaderTerm t = new LeaderTerm(store, options, managerList);
    t.start();
    term = t;
  }

  /** Stops serving and closes all agent streams: called when leadership is lost. */
  public synchronized void stop() {
    LeaderTerm t = term;
    if (t == null) {
      return;
    }
    log.info("dispatcher stopping");
    term = null;
    t.stop();
  }

  public boolean isRunning() {
    return term != null;
  }

  /**
   * The service to register on the server: this dispatcher behind the interceptor that records each
   * caller's IP address (stored as the node's status.addr). Registering the dispatcher itself works
   * too, but then node addresses stay empty.
   */
  public ServerServiceDefinition service() {
    return ServerInterceptors.intercept(this, new PeerAddress());
  }

  private LeaderTerm running() {
    LeaderTerm t = term;
    if (t == null || !t.running()) {
      throw Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException();
    }
    return t;
  }

  @Override
  public void session(SessionRequest request, StreamObserver<SessionMessage> observer) {
    ServerCallStreamObserver<SessionMessage> call = (ServerCallStreamObserver<SessionMessage>) observer;
    SessionSignals signals = new SessionSignals();
    call.setOnCancelHandler(() -> signals.end(Status.CANCELLED));
    RegisteredNode rn = null;
    try {
      LeaderTerm t = running();
      String nodeId = identity.nodeId(Context.current());
      String addr = PeerAddress.current();
      NodeDescription description = request.hasDescription() ? request.getDescription() : null;
      try {
        rn = t.nodes.getWithSession(nodeId, request.getSessionId());
        t.markNodeReady(nodeId, description, addr);
      } catch (StatusRuntimeException notRegistered) {
        rn = register(t, nodeId, description, addr);
      }
      String sessionId = rn.sessionId;
      rn.attach(signals);
      t.nodes.getWithSession(nodeId, sessionId);
      call.onNext(sessionMessage(t, nodeId, sessionId));
      while (true) {
        boolean changed = signals.await(STREAM_CHECK);
        Status end = signals.endStatus();
        if (end != null) {
          if (end.getCode() != Status.Code.CANCELLED) {
            call.onError(end.asRuntimeException());
          }
          return;
        }
        if (!t.running()) {
          call.onError(Status.ABORTED.withDescription("node must disconnect").asRuntimeException());
          return;
        }
        t.nodes.getWithSession(nodeId, sessionId);
        if (changed) {
          call.onNext(sessionMessage(t, nodeId, sessionId));
        }
      }
    } catch (StatusRuntimeException e) {
      safeError(call, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      safeError(call, Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
    } catch (StoreException e) {
      safeError(call, Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
    } finally {
      if (rn != null) {
        rn.detach(signals);
      }
    }
  }

  private RegisteredNode register(LeaderTerm t, String nodeId, NodeDescription description, String addr)
      throws InterruptedException {
    t.nodes.checkRateLimit(nodeId);
    Optional<Node> node = store.view(tx -> tx.get(Table.NODES, nodeId));
    if (node.isEmpty()) {
      if (!options.createUnknownNodes()) {
        throw Status.NOT_FOUND.withDescription("node not found").asRuntimeException();
      }
      createNode(nodeId, description, addr);
    }
    RegisteredNode rn = t.nodes.add(nodeId, () -> {
      log.debug("heartbeat expiration for worker {}, setting worker status to DOWN", nodeId);
      t.markNodeNotReady(nodeId, NodeStatus.State.DOWN, "heartbeat failure");
    }, () -> t.queueNodeReady(nodeId, description, addr));
    t.awaitNodeUpdates();
    log.info("worker {} was successfully registered", nodeId);
    return rn;
  }

  private void createNode(String nodeId, NodeDescription description, String addr) {
    Node.Builder node = Node.newBuilder()
        .setId(nodeId)
        .setRole(NodeRole.WORKER)
        .setSpec(NodeSpec.newBuilder().setDesiredRole(NodeRole.WORKER)
            .setMembership(NodeSpec.Membership.ACCEPTED))
        .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr(addr));
    if (description != null) {
      node.setDescription(description);
    }
    try {
      store.update(tx -> {
        if (tx.get(Table.NODES, nodeId).isEmpty()) {
          tx.create(Table.NODES, node.build());
        }
      });
    } catch (StoreException.AlreadyExists e) {
      // created concurrently by another session attempt
    }
  }

  private SessionMessage sessionMessage(LeaderTerm t, String nodeId, String sessionId) {
    SessionMessage.Builder msg = SessionMessage.newBuilder()
        .setSessionId(sessionId)
        .addAllManagers(t.managers())
        .addAllNetworkBootstrapKeys(t.networkBootstrapKeys())
        .setRootCA(t.rootCa());
    store.view(tx -> tx.get(Table.NODES, nodeId)).ifPresent(msg::setNode);
    return msg.build();
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    try {
      LeaderTerm t = running();
      String nodeId = identity.nodeId(Context.current());
      Duration period = t.nodes.heartbeat(nodeId, request.getSessionId());
      observer.onNext(HeartbeatResponse.newBuilder().setPeriod(com.google.protobuf.Duration.newBuilder()
          .setSeconds(period.getSeconds()).setNanos(period.getNano())).build());
      observer.onCompleted();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
    }
  }

  @Override
  public void updateTaskStatus(UpdateTaskStatusRequest request,
      StreamObserver<UpdateTaskStatusResponse> observer) {
    try {
      LeaderTerm t = running();
      String nodeId = identity.nodeId(Context.current());
      t.nodes.getWithSession(nodeId, request.getSessionId());
      List<UpdateTaskStatusRequest.TaskStatusUpdate> valid = new ArrayList<>();
      store.read(tx -> {
        for (UpdateTaskStatusRequest.TaskStatusUpdate u : request.getUpdatesList()) {
          if (!u.hasStatus()) {
            log.warn("task report for {} has nil status", u.getTaskId());
            continue;
          }
          Optional<Task> task = tx.get(Table.TASKS, u.getTaskId());
          if (task.isEmpty()) {
            log.debug("cannot find target task in store: {}", u.getTaskId());
            continue;
          }
          if (!task.get().getNodeId().equals(nodeId)) {
            log.error("node {} cannot update task {}: not assigned to it", nodeId, u.getTaskId());
            throw Status.PERMISSION_DENIED
                .withDescription("cannot update a task not assigned this node").asRuntimeException();
          }
          valid.add(u);
        }
      });
      for (UpdateTaskStatusRequest.TaskStatusUpdate u : valid) {
        t.pending.addTaskStatus(u.getTaskId(), u.getStatus());
      }
      observer.onNext(UpdateTaskStatusResponse.getDefaultInstance());
      observer.onCompleted();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
    }
  }

  /** Volumes (CSI) are not supported by this port; the session is still validated. */
  @Override
  public void updateVolumeStatus(UpdateVolumeStatusRequest request,
      StreamObserver<UpdateVolumeStatusResponse> observer) {
    try {
      LeaderTerm t = running();
      t.nodes.getWithSession(identity.nodeId(Context.current()), request.getSessionId());
      observer.onNext(UpdateVolumeStatusResponse.getDefaultInstance());
      observer.onCompleted();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
    }
  }

  /** The deprecated Tasks stream is not served; agents fall back to it only on UNIMPLEMENTED. */
  @Override
  public void tasks(TasksRequest request, StreamObserver<TasksMessage> observer) {
    observer.onError(Status.UNIMPLEMENTED.withDescription("use Assignments").asRuntimeException());
  }

  @Override
  public void assignments(AssignmentsRequest request, StreamObserver<AssignmentsMessage> observer) {
    ServerCallStreamObserver<AssignmentsMessage> call =
        (ServerCallStreamObserver<AssignmentsMessage>) observer;
    try {
      LeaderTerm t = running();
      String nodeId = identity.nodeId(Context.current());
      String sessionId = request.getSessionId();
      t.nodes.getWithSession(nodeId, sessionId);
      AssignmentSet assignments = new AssignmentSet();
      Predicate<StoreEvent> mine = e -> e.table() == Table.TASKS
          && e.kind() != StoreEvent.Kind.COMMIT
          && ((Task) e.object()).getNodeId().equals(nodeId);
      Store.ViewAndWatch<Void> vw = store.viewAndWatch(tx -> {
        for (Task task : tx.find(Table.TASKS, By.nodeId(nodeId))) {
          assignments.addOrUpdateTask(tx, task);
        }
        return null;
      }, mine);
      try (Subscription sub = vw.subscription()) {
        AssignmentsSender sender = new AssignmentsSender(call);
        sender.send(assignments.message(), AssignmentsMessage.Type.COMPLETE);
        while (true) {
          int modifications = 0;
          long deadline = 0;
          while (modifications < MODIFICATION_BATCH_LIMIT) {
            long wait = modifications == 0 ? STREAM_CHECK.toNanos() : deadline - System.nanoTime();
            if (wait <= 0) {
              break;
            }
            Optional<StoreEvent> ev = sub.poll(Duration.ofNanos(wait));
            if (call.isCancelled()) {
              return;
            }
            if (!t.running()) {
              call.onError(Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
              return;
            }
            if (ev.isEmpty()) {
              if (modifications == 0) {
                t.nodes.getWithSession(nodeId, sessionId);
              }
              continue;
            }
            StoreEvent e = ev.get();
            boolean modified = e.kind() == StoreEvent.Kind.DELETE
                ? assignments.removeTask((Task) e.oldObject())
                : store.view(tx -> assignments.addOrUpdateTask(tx, (Task) e.newObject()));
            if (modified) {
              modifications++;
              deadline = System.nanoTime() + BATCHING_WAIT.toNanos();
            }
          }
          t.nodes.getWithSession(nodeId, sessionId);
          if (modifications > 0) {
            sender.send(assignments.message(), AssignmentsMessage.Type.INCREMENTAL);
          }
        }
      }
    } catch (StatusRuntimeException e) {
      safeError(call, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      safeError(call, Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
    } catch (StoreException e) {
      safeError(call, Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** Numbers assignment messages so the agent can detect a gap (applies_to / results_in). */
  private static final class AssignmentsSender {
    private final StreamObserver<AssignmentsMessage> call;
    private long sequence;
    private String appliesTo = "";

    AssignmentsSender(StreamObserver<AssignmentsMessage> call) {
      this.call = call;
    }

    void send(AssignmentsMessage msg, AssignmentsMessage.Type type) {
      sequence++;
      String resultsIn = Long.toString(sequence);
      call.onNext(msg.toBuilder().setType(type).setAppliesTo(appliesTo).setResultsIn(resultsIn).build());
      appliesTo = resultsIn;
    }
  }

  private static void safeError(ServerCallStreamObserver<?> call, Throwable e) {
    if (call.isCancelled()) {
      return;
    }
    try {
      call.onError(e);
    } catch (IllegalStateException alreadyClosed) {
      // the call completed meanwhile
    }
  }
}
