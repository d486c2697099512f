package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeCertificateStatusRequest;
import dev.swarmkit.api.NodeCertificateStatusResponse;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.netty.handler.ssl.SslContext;
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
  private final AtomicBoolean handlerRan = new AtomicBoolean();
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
    // NodeCertificateStatus stands for the insecure (token-based) methods.
    NodeCAGrpc.NodeCAImplBase nodeCa = new NodeCAGrpc.NodeCAImplBase() {
      @Override
      public void nodeCertificateStatus(NodeCertificateStatusRequest request,
          StreamObserver<NodeCertificateStatusResponse> response) {
        handlerRan.set(true);
        seenByHandler.set(CallerIdentity.current().orElse(null));
        forwardedAddress.set(ForwardedCaller.ADDRESS.get());
        response.onNext(NodeCertificateStatusResponse.getDefaultInstance());
        response.onCompleted();
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(leader.serverSslContext())
        .addService(ServerInterceptors.intercept(health, auth))
        .addService(ServerInterceptors.intercept(nodeCa, auth))
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

  @Test
  void anInsecureCallRelayedForACallerWithoutCertificateSeesNoIdentityNotTheRelayingManagers() {
    status(follower.clientSslContext(), ForwardedCaller.headers(Optional.empty(), "10.0.0.9:5555"));
    assertThat(handlerRan).isTrue();
    assertThat(seenByHandler.get()).isNull();
    assertThat(forwardedAddress.get()).isEqualTo("10.0.0.9:5555");
  }

  @Test
  void anInsecureCallRelayedForACallerWithCertificateSeesThatCaller() {
    NodeIdentity original = new NodeIdentity("worker9", Roles.WORKER, clusterId);
    status(follower.clientSslContext(), ForwardedCaller.headers(Optional.of(original), "10.0.0.9:5555"));
    assertThat(seenByHandler.get()).isEqualTo(original);
  }

  @Test
  void anInsecureCallMadeDirectlySeesTheDirectCaller() {
    status(follower.clientSslContext(), new Metadata());
    assertThat(seenByHandler.get()).isEqualTo(follower.identity());
    assertThat(forwardedAddress.get()).isNull();
  }

  @Test
  void onlyManagersMayRelayInsecureCalls() {
    NodeIdentity claimed = new NodeIdentity("manager7", Roles.MANAGER, clusterId);
    assertDenied(() -> status(worker.clientSslContext(), ForwardedCaller.headers(Optional.of(claimed), "")),
        "Permission denied: unauthorized forwarder role");
    // nor may a worker hide its own identity behind the "no certificate" marker
    assertDenied(() -> status(worker.clientSslContext(), ForwardedCaller.headers(Optional.empty(), "")),
        "Permission denied: unauthorized forwarder role");
    SslContext anonymous = TlsContexts.client(new ReloadableKeyManager(), new ReloadableTrustManager(root.certificate()));
    assertDenied(() -> status(anonymous, ForwardedCaller.headers(Optional.of(claimed), "")),
        "Permission denied: unauthorized forwarder role");
    assertThat(handlerRan).isFalse();
  }

  @Test
  void relayedInsecureCallsWithAPartialOrForeignSubjectAreRefused() {
    Metadata partial = new Metadata();
    partial.put(ForwardedCaller.FORWARDED, "true");
    partial.put(ForwardedCaller.CN, "worker9");
    assertDenied(() -> status(follower.clientSslContext(), partial),
        "Permission denied: missing information in forwarded request");
    assertDenied(() -> status(follower.clientSslContext(), ForwardedCaller.headers(
        Optional.of(new NodeIdentity("worker9", Roles.WORKER, "other")), "")),
        "Permission denied: organization mismatch, expecting: cluster1");
    assertThat(handlerRan).isFalse();
  }

  @Test
  void aRelayedInsecureCallOfARemovedNodeSeesNoIdentityAsADirectOneWould() {
    status(follower.clientSslContext(), ForwardedCaller.headers(
        Optional.of(new NodeIdentity("removed1", Roles.WORKER, clusterId)), ""));
    assertThat(handlerRan).isTrue();
    assertThat(seenByHandler.get()).isNull();
  }

  private void status(SslContext caller, Metadata headers) {
    ManagedChannel channel = CertificateRequester.channel(new InetSocketAddress("127.0.0.1", server.getPort()),
        caller, Roles.MANAGER);
    try {
      NodeCAGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .nodeCertificateStatus(NodeCertificateStatusRequest.newBuilder().setNodeId("any").build());
    } finally {
      channel.shutdownNow();
    }
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
