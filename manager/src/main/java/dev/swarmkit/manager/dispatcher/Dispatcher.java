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
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
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
    try {
      LeaderTerm t = running();
      SessionStream stream = new SessionStream(call, t.streamExecutor());
      String nodeId = identity.nodeId(Context.current());
      String addr = PeerAddress.current();
      NodeDescription description = request.hasDescription() ? request.getDescription() : null;
      // READY is queued under the registrations' lock together with the entry it goes with (the
      // resumed session, or the new one replacing any "unknown" entry), so that no expiry of a
      // replaced entry can queue DOWN after it (see RegisteredNodes.add).
      java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Boolean>> ready =
          new java.util.concurrent.atomic.AtomicReference<>();
      Runnable queueReady = () -> ready.set(t.markNodeReady(nodeId, description, addr));
      if (Context.current().isCancelled()) {
        // The node gave up on this attempt (e.g. a relay that waited for this leader): registering it
        // now would only displace the node's next, live session.
        return;
      }
      RegisteredNode rn = t.nodes.resume(nodeId, request.getSessionId(), queueReady);
      if (rn == null) {
        t.nodes.checkRateLimit(nodeId);
        ensureNode(nodeId, description, addr);
        rn = register(t, nodeId, queueReady);
      }
      RegisteredNode session = rn;
      // READY is committed in the dispatcher's next batch; the stream goes on from that callback,
      // so registering nodes park no thread.
      java.util.concurrent.Executor streams = runnable -> {
        try {
          t.streamExecutor().execute(runnable);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          safeError(call, Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
        }
      };
      ready.get().whenCompleteAsync((committed, error) -> {
        try {
          if (!Boolean.TRUE.equals(committed) || !t.running()) {
            safeError(call, Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
            return;
          }
          if (call.isCancelled()) {
            return; // the node gave up waiting; the registration's deadline stands (see RegisteredNodes.add)
          }
          // The grace period counts from the first message the node can answer, not from the queueing
          // of READY (a slow batch commit must not expire a session its node has not learned yet);
          // INVALID_ARGUMENT here if another registration replaced this one meanwhile.
          t.nodes.sessionStarted(nodeId, session.sessionId);
          session.attach(stream);
          stream.start(() -> sessionMessage(t, nodeId, session.sessionId), () -> session.detach(stream));
        } catch (StatusRuntimeException e) {
          safeError(call, e);
        } catch (RuntimeException e) {
          log.error("session for {} failed", nodeId, e);
          safeError(call, Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        }
      }, streams);
    } catch (StatusRuntimeException e) {
      safeError(call, e);
    } catch (StoreException e) {
      safeError(call, Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
    } catch (java.util.concurrent.RejectedExecutionException e) {
      safeError(call, Status.ABORTED.withDescription("dispatcher is stopped").asRuntimeException());
    }
  }

  private void ensureNode(String nodeId, NodeDescription description, String addr) {
    Optional<Node> node = store.view(tx -> tx.get(Table.NODES, nodeId));
    if (node.isEmpty()) {
      if (!options.createUnknownNodes()) {
        throw Status.NOT_FOUND.withDescription("node not found").asRuntimeException();
      }
      createNode(nodeId, description, addr);
    }
  }

  private RegisteredNode register(LeaderTerm t, String nodeId, Runnable queueReady) {
    RegisteredNode rn = t.nodes.add(nodeId, () -> {
      log.debug("heartbeat expiration for worker {}, setting worker status to DOWN", nodeId);
      t.markNodeNotReady(nodeId, NodeStatus.State.DOWN, "heartbeat failure");
    }, queueReady);
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
      t.nodes.getWithSession(nodeId, request.getSessionId());
      t.assignments.open(nodeId, request.getSessionId(), call);
    } catch (StatusRuntimeException e) {
      safeError(call, e);
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
