package dev.swarmkit.manager.raft;

import dev.swarmkit.api.JoinRequest;
import dev.swarmkit.api.JoinResponse;
import dev.swarmkit.api.LeaveRequest;
import dev.swarmkit.api.LeaveResponse;
import dev.swarmkit.api.RaftMember;
import dev.swarmkit.api.RaftMembershipGrpc;
import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.ForwardedCaller;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.raft.RaftNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RaftMembership.Join and Leave: a manager joining with a manager certificate gets a Raft ID and the
 * member list, and the leader then adds it to the Raft configuration once its member is running. A
 * follower forwards the call to the leader as the joining manager, as upstream's raft proxy does.
 */
public final class RaftMembershipService extends RaftMembershipGrpc.RaftMembershipImplBase {

  private static final Logger log = LoggerFactory.getLogger(RaftMembershipService.class);
  private static final Duration ADD_MEMBER_DEADLINE = Duration.ofMinutes(2);

  private final RaftNode raft;
  private final SecurityConfig security;
  private final ExecutorService adder = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "raft-member-adder");
    t.setDaemon(true);
    return t;
  });

  public RaftMembershipService(RaftNode raft, SecurityConfig security) {
    this.raft = raft;
    this.security = security;
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
    try {
      response.onNext(joinOnLeader(request));
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  private JoinResponse joinOnLeader(JoinRequest request) {
    NodeIdentity caller = CallerIdentity.current().orElseThrow(() ->
        Status.PERMISSION_DENIED.withDescription("joining raft needs a manager certificate").asRuntimeException());
    if (request.getAddr().isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("raft address of the joining manager is empty")
          .asRuntimeException();
    }
    if (!raft.isLeader()) {
      return forwardToLeader(request, caller);
    }
    Optional<RaftMember> existing = raft.members().stream()
        .filter(m -> m.getNodeId().equals(caller.nodeId())).findFirst();
    long raftId = existing.map(RaftMember::getRaftId).orElseGet(raft::newMemberRaftId);
    if (existing.isEmpty()) {
      adder.execute(() -> addWhenRunning(raftId, caller.nodeId(), request.getAddr()));
    }
    log.info("manager {} joins raft as member {} at {}", caller.nodeId(), Long.toHexString(raftId),
        request.getAddr());
    return JoinResponse.newBuilder().setRaftId(raftId).addAllMembers(raft.members()).build();
  }

  /** Retries until the new member's Raft server answers and the configuration change commits. */
  private void addWhenRunning(long raftId, String nodeId, String address) {
    long deadline = System.nanoTime() + ADD_MEMBER_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        raft.addMember(raftId, nodeId, address);
        log.info("raft member {} ({}) added", Long.toHexString(raftId), nodeId);
        return;
      } catch (StoreException.NotLeader e) {
        log.warn("lost leadership while adding raft member {}", Long.toHexString(raftId));
        return;
      } catch (RuntimeException e) {
        log.debug("adding raft member {} failed, retrying", Long.toHexString(raftId), e);
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    log.error("gave up adding raft member {} ({}) at {}", Long.toHexString(raftId), nodeId, address);
  }

  /**
   * Relays the join as the joining manager (forwarded caller headers): authenticated only by this
   * follower's certificate, the leader would take it for this follower re-joining.
   */
  private JoinResponse forwardToLeader(JoinRequest request, NodeIdentity caller) {
    return onLeader(caller, stub -> stub.join(request));
  }

  /** Relays a call to the leader's remote API with the original caller's identity. */
  private <R> R onLeader(NodeIdentity caller,
      Function<RaftMembershipGrpc.RaftMembershipBlockingStub, R> call) {
    String leaderRaftAddr = raft.leaderId().stream().boxed()
        .flatMap(id -> raft.members().stream().filter(m -> m.getRaftId() == id))
        .map(RaftMember::getAddr).findFirst()
        .orElseThrow(() -> Status.UNAVAILABLE.withDescription("raft: no elected cluster leader").asRuntimeException());
    ManagedChannel channel = SecureChannels.toManager(security,
        RaftAddresses.socketAddress(RaftAddresses.remoteApiOf(leaderRaftAddr)));
    try {
      return call.apply(RaftMembershipGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
              ForwardedCaller.headers(Optional.of(caller), ForwardedCaller.ADDRESS.get())))
          .withDeadlineAfter(30, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
    }
  }


  @Override
  public void leave(LeaveRequest request, StreamObserver<LeaveResponse> response) {
    try {
      if (!raft.isLeader()) {
        // As upstream's raft proxy: a follower relays the request to the leader.
        NodeIdentity caller = CallerIdentity.current().orElseThrow(() ->
            Status.PERMISSION_DENIED.withDescription("leaving raft needs a manager certificate").asRuntimeException());
        response.onNext(onLeader(caller, stub -> stub.leave(request)));
        response.onCompleted();
        return;
      }
      raft.removeMember(request.getNode().getRaftId());
      response.onNext(LeaveResponse.getDefaultInstance());
      response.onCompleted();
    } catch (StoreException.NotFound e) {
      response.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
    } catch (StoreException e) {
      response.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  public void close() {
    adder.shutdownNow();
  }
}
