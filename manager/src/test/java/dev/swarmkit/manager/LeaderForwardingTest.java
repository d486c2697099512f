package dev.swarmkit.manager;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.HeartbeatRequest;
import dev.swarmkit.api.HeartbeatResponse;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SessionRequest;
import dev.swarmkit.manager.dispatcher.StreamRecorder;
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
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** How a follower reports the end of a call it relayed to the leader. */
class LeaderForwardingTest {

  @Test
  void transportFailuresOfTheRelayAreExplainedNotPassedOnBare() {
    for (Status transport : new Status[] {
        Status.UNAVAILABLE.withDescription("io exception").withCause(new IOException("reset")),
        Status.UNAVAILABLE.withDescription("Network closed for unknown reason"),
        Status.UNAVAILABLE,
        Status.CANCELLED.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL")}) {
      Status relayed = LeaderForwarding.relayFailure(transport, false);
      assertThat(relayed.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(relayed.getDescription()).startsWith("relaying to the raft leader failed")
          .contains("a new leader is elected within seconds");
    }
  }

  @Test
  void statusesTheLeaderAnsweredWithPassUnchanged() {
    Status quorum = Status.UNAVAILABLE.withDescription("raft: quorum lost: this manager (the leader) reaches 1 of 3");
    assertThat(LeaderForwarding.relayFailure(quorum, false)).isSameAs(quorum);
    Status notFound = Status.NOT_FOUND.withDescription("secret x not found");
    assertThat(LeaderForwarding.relayFailure(notFound, false)).isSameAs(notFound);
    Status cancelled = Status.CANCELLED.withDescription("caller cancelled");
    assertThat(LeaderForwarding.relayFailure(cancelled, true)).isSameAs(cancelled);
  }

  @Test
  void aFollowerStopsWaitingForALeaderOnceTheCallerCancelledAndNeverRelaysTheCall() throws Exception {
    List<String> reachedLeader = new CopyOnWriteArrayList<>();
    String leaderName = InProcessServerBuilder.generateName();
    AtomicInteger callsAtLeader = new AtomicInteger();
    ServerInterceptor countCalls = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        callsAtLeader.incrementAndGet();
        return next.startCall(call, headers);
      }
    };
    Server leader = InProcessServerBuilder.forName(leaderName).directExecutor()
        .addService(ServerInterceptors.intercept(new DispatcherGrpc.DispatcherImplBase() {
          @Override
          public void session(SessionRequest request, StreamObserver<SessionMessage> observer) {
            reachedLeader.add(request.getSessionId());
            observer.onNext(SessionMessage.newBuilder().setSessionId(request.getSessionId()).build());
            observer.onCompleted();
          }
        }, countCalls)).build().start();
    ManagedChannel toLeader = InProcessChannelBuilder.forName(leaderName).directExecutor().build();
    AtomicReference<ManagedChannel> elected = new AtomicReference<>();
    LeaderForwarding forwarding = new LeaderForwarding(followerOf(elected), Duration.ofSeconds(10));
    AtomicInteger handled = new AtomicInteger();
    ServerInterceptor countHandled = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        try {
          return next.startCall(call, headers);
        } finally {
          handled.incrementAndGet();
        }
      }
    };
    String followerName = InProcessServerBuilder.generateName();
    Server follower = InProcessServerBuilder.forName(followerName)
        .addService(ServerInterceptors.intercept(forwarding.wrap(new DispatcherGrpc.DispatcherImplBase() {}),
            countHandled)).build().start();
    ManagedChannel toFollower = InProcessChannelBuilder.forName(followerName).build();
    try {
      // No leader yet: the caller (an agent's registration) gives up while the follower waits.
      Assertions.assertThatThrownBy(() -> DispatcherGrpc.newBlockingStub(toFollower)
          .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
          .session(SessionRequest.newBuilder().setSessionId("abandoned").build()).hasNext())
          .isInstanceOf(StatusRuntimeException.class);
      // Its handler thread is free again long before the 10s leader wait ends.
      await().atMost(Duration.ofSeconds(5)).until(() -> handled.get() == 1);
      elected.set(toLeader);
      assertThat(DispatcherGrpc.newBlockingStub(toFollower)
          .session(SessionRequest.newBuilder().setSessionId("live").build()).next().getSessionId())
          .isEqualTo("live");

      await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() == 2);
      assertThat(reachedLeader).containsExactly("live");
      assertThat(callsAtLeader).as("calls the follower opened on the leader").hasValue(1);
    } finally {
      toFollower.shutdownNow();
      toLeader.shutdownNow();
      follower.shutdownNow();
      leader.shutdownNow();
    }
  }

  @Test
  void whileNoLeaderIsElectedOnlyABoundedNumberOfCallsWaitAndTheRestAreRefusedAtOnce() throws Exception {
    String leaderName = InProcessServerBuilder.generateName();
    Server leader = InProcessServerBuilder.forName(leaderName).directExecutor()
        .addService(new DispatcherGrpc.DispatcherImplBase() {
          @Override
          public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
            observer.onNext(HeartbeatResponse.getDefaultInstance());
            observer.onCompleted();
          }
        }).build().start();
    ManagedChannel toLeader = InProcessChannelBuilder.forName(leaderName).directExecutor().build();
    AtomicReference<ManagedChannel> elected = new AtomicReference<>();
    LeaderForwarding forwarding = new LeaderForwarding(followerOf(elected), Duration.ofSeconds(30));
    String followerName = InProcessServerBuilder.generateName();
    // The follower's call executor has a thread for every call, as gRPC's default one does.
    Server follower = InProcessServerBuilder.forName(followerName)
        .addService(forwarding.wrap(new DispatcherGrpc.DispatcherImplBase() {})).build().start();
    ManagedChannel toFollower = InProcessChannelBuilder.forName(followerName).build();
    int calls = LeaderForwarding.MAX_WAITING_FOR_LEADER + 6;
    List<CompletableFuture<Status>> ends = new ArrayList<>();
    try {
      for (int i = 0; i < calls; i++) {
        StreamRecorder<HeartbeatResponse> call = new StreamRecorder<>();
        ends.add(call.end);
        DispatcherGrpc.newStub(toFollower).heartbeat(HeartbeatRequest.getDefaultInstance(), call);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> ends.stream().filter(CompletableFuture::isDone).count() == 6);
      assertThat(forwarding.waitingForLeader()).isEqualTo(LeaderForwarding.MAX_WAITING_FOR_LEADER);
      assertThat(ends.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join))
          .allSatisfy(st -> {
            assertThat(st.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(st.getDescription()).contains("calls already wait for a leader on this manager; retry");
          });

      elected.set(toLeader);
      CompletableFuture.allOf(ends.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
      assertThat(ends.stream().map(CompletableFuture::join).filter(Status::isOk))
          .as("the calls that waited, relayed once a leader was elected").hasSize(LeaderForwarding.MAX_WAITING_FOR_LEADER);
      assertThat(forwarding.waitingForLeader()).isZero();
    } finally {
      toFollower.shutdownNow();
      toLeader.shutdownNow();
      follower.shutdownNow();
      leader.shutdownNow();
    }
  }

  /** A follower's view of the leader: never this manager; {@code elected} once one is known. */
  private static LeaderForwarding.LeaderRoute followerOf(AtomicReference<ManagedChannel> elected) {
    return new LeaderForwarding.LeaderRoute() {
      @Override
      public boolean isLeader() {
        return false;
      }

      @Override
      public Optional<ManagedChannel> leaderChannel() {
        return Optional.ofNullable(elected.get());
      }

      @Override
      public String unavailableReason() {
        return "no leader";
      }
    };
  }
}
