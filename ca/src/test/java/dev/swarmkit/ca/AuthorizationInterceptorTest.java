package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.api.NodeRole;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthorizationInterceptorTest {

  private final RootCA root = RootCA.create();
  private final String clusterId = "cluster1";
  private final SecurityConfig manager =
      ClusterSecurity.issueLocally(root, "manager1", NodeRole.MANAGER, clusterId, Duration.ofHours(1));
  private final AtomicReference<NodeIdentity> seenByHandler = new AtomicReference<>();
  private final java.util.Set<String> removedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private Server server;

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<byte[], byte[]> UNANNOTATED = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("test.Unannotated/Call")
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  @BeforeEach
  void start() throws IOException {
    removedIds.add("removed1");
    AuthorizationInterceptor auth = AuthorizationInterceptor.forNode(manager, removedIds::contains);
    HealthGrpc.HealthImplBase health = new HealthGrpc.HealthImplBase() {
      @Override
      public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
        seenByHandler.set(CallerIdentity.current().orElse(null));
        response.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        response.onCompleted();
      }
    };
    ServerServiceDefinition unannotated = ServerServiceDefinition.builder("test.Unannotated")
        .addMethod(UNANNOTATED, ServerCalls.asyncUnaryCall((req, obs) -> {
          obs.onNext(req);
          obs.onCompleted();
        }))
        .build();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(manager.serverSslContext())
        .addService(ServerInterceptors.intercept(health, auth))
        .addService(ServerInterceptors.intercept(unannotated, auth))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  @Test
  void handlersSeeTheVerifiedCallerIdentity() {
    SecurityConfig other = ClusterSecurity.issueLocally(root, "manager2", NodeRole.MANAGER, clusterId,
        Duration.ofHours(1));
    assertThat(check(other.clientSslContext(), Roles.MANAGER).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(seenByHandler.get()).isEqualTo(new NodeIdentity("manager2", Roles.MANAGER, clusterId));
  }

  @Test
  void removedNodesAreRefusedEvenWithAValidCertificate() {
    SecurityConfig removed = ClusterSecurity.issueLocally(root, "removed1", NodeRole.MANAGER, clusterId,
        Duration.ofHours(1));
    assertThatThrownBy(() -> check(removed.clientSslContext(), Roles.MANAGER))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).isEqualTo("Permission denied: node removed1 was removed from swarm");
        });
    assertThat(seenByHandler.get()).isNull();
  }

  @Test
  void aNodeRemovedWhileConnectedIsRefusedOnItsNextCallOverTheSameConnection() {
    // Later calls on a connection reuse its verified chain; removal is still checked on each.
    SecurityConfig node = ClusterSecurity.issueLocally(root, "manager3", NodeRole.MANAGER, clusterId,
        Duration.ofHours(1));
    ManagedChannel channel = CertificateRequester.channel(address(), node.clientSslContext(), Roles.MANAGER);
    try {
      for (int i = 0; i < 3; i++) {
        seenByHandler.set(null);
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        assertThat(seenByHandler.get()).isEqualTo(new NodeIdentity("manager3", Roles.MANAGER, clusterId));
      }
      removedIds.add("manager3");
      assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
              .isEqualTo("Permission denied: node manager3 was removed from swarm"));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void methodsWithoutAnAuthorizationOptionAreRefused() {
    ManagedChannel channel = CertificateRequester.channel(address(), manager.clientSslContext(), Roles.MANAGER);
    try {
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, UNANNOTATED, CallOptions.DEFAULT, new byte[] {1}))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("no TLS authorization policy");
          });
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void clientsRefuseServersWithoutTheExpectedNameOrOfAnotherRoot() throws IOException {
    // the manager certificate names swarm-manager and swarm-ca, not "swarm-elsewhere"
    assertUnavailable(() -> check(manager.clientSslContext(), "swarm-elsewhere"));

    SecurityConfig foreignManager = ClusterSecurity.issueLocally(RootCA.create(), "m", NodeRole.MANAGER, clusterId,
        Duration.ofHours(1));
    Server foreign = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(foreignManager.serverSslContext())
        .addService(new HealthGrpc.HealthImplBase() {})
        .build()
        .start();
    try {
      ManagedChannel channel = CertificateRequester.channel(new InetSocketAddress("127.0.0.1", foreign.getPort()),
          manager.clientSslContext(), Roles.MANAGER);
      try {
        assertUnavailable(() -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()));
      } finally {
        channel.shutdownNow();
      }
    } finally {
      foreign.shutdownNow();
    }
  }

  private static void assertUnavailable(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private HealthCheckResponse check(SslContext tls, String authority) {
    ManagedChannel channel = CertificateRequester.channel(address(), tls, authority);
    try {
      return HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }

  private InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }
}
