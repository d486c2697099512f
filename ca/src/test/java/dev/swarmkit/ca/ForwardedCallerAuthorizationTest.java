package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.api.NodeRole;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A follower relays calls with the original caller's identity; the leader trusts it only from managers. */
class ForwardedCallerAuthorizationTest {

  private final RootCA root = RootCA.create();
  private final String clusterId = "cluster1";
  private final SecurityConfig leader = issue("leader1", NodeRole.MANAGER);
  private final SecurityConfig follower = issue("follower1", NodeRole.MANAGER);
  private final SecurityConfig worker = issue("worker1", NodeRole.WORKER);
  private final AtomicReference<NodeIdentity> seenByHandler = new AtomicReference<>();
  private final AtomicReference<String> forwardedAddress = new AtomicReference<>();
  private Server server;

  @BeforeEach
  void start() throws IOException {
    AuthorizationInterceptor auth = AuthorizationInterceptor.forNode(leader, id -> id.equals("removed1"));
    HealthGrpc.HealthImplBase health = new HealthGrpc.HealthImplBase() {
      @Override
      public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
        seenByHandler.set(CallerIdentity.current().orElse(null));
        forwardedAddress.set(ForwardedCaller.ADDRESS.get());
        response.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        response.onCompleted();
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(leader.serverSslContext())
        .addService(ServerInterceptors.intercept(health, auth))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  @Test
  void aManagerRelaysAnotherManagersCallUnderThatManagersIdentity() {
    NodeIdentity original = new NodeIdentity("manager7", Roles.MANAGER, clusterId);
    check(follower, ForwardedCaller.headers(Optional.of(original), "10.0.0.7:4242"));
    assertThat(seenByHandler.get()).isEqualTo(original);
    assertThat(forwardedAddress.get()).isEqualTo("10.0.0.7:4242");
  }

  @Test
  void theForwardedRoleMustBeAllowedByTheMethod() {
    NodeIdentity original = new NodeIdentity("worker9", Roles.WORKER, clusterId);
    assertDenied(() -> check(follower, ForwardedCaller.headers(Optional.of(original), "")),
        "Permission denied: unauthorized forwarded role, expecting: [swarm-manager]");
  }

  @Test
  void onlyManagersMayForward() {
    NodeIdentity claimed = new NodeIdentity("manager7", Roles.MANAGER, clusterId);
    assertDenied(() -> check(worker, ForwardedCaller.headers(Optional.of(claimed), "")),
        "Permission denied: unauthorized forwarder role");
  }

  @Test
  void forwardedCallersOfAnotherClusterOrRemovedOrAnonymousAreRefused() {
    assertDenied(() -> check(follower, ForwardedCaller.headers(
        Optional.of(new NodeIdentity("manager7", Roles.MANAGER, "other")), "")),
        "Permission denied: organization mismatch, expecting: cluster1");
    assertDenied(() -> check(follower, ForwardedCaller.headers(
        Optional.of(new NodeIdentity("removed1", Roles.MANAGER, clusterId)), "")),
        "Permission denied: node removed1 was removed from swarm");
    assertDenied(() -> check(follower, ForwardedCaller.headers(Optional.empty(), "")),
        "Permission denied: missing information in forwarded request");
    assertThat(seenByHandler.get()).isNull();
  }

  private SecurityConfig issue(String nodeId, NodeRole role) {
    return ClusterSecurity.issueLocally(root, nodeId, role, clusterId, Duration.ofHours(1));
  }

  private void check(SecurityConfig caller, Metadata headers) {
    ManagedChannel channel = CertificateRequester.channel(new InetSocketAddress("127.0.0.1", server.getPort()),
        caller.clientSslContext(), Roles.MANAGER);
    try {
      HealthGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .check(HealthCheckRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }

  private static void assertDenied(Runnable call, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription()).startsWith(message);
    });
  }
}
