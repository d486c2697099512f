package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.BlacklistedCertificate;
import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.GetRootCACertificateRequest;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.IssueNodeCertificateRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeCertificateStatusRequest;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.store.Table;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CAServerTest {

  @TempDir Path stateDir;
  private CaFixture ca;
  private final CertificateRequester requester =
      new CertificateRequester(new CertificateRequester.Options(Duration.ofSeconds(5), Duration.ofSeconds(20)));

  @BeforeEach
  void start() throws Exception {
    ca = new CaFixture(Duration.ofHours(3), CAServer.Options.defaults());
  }

  @AfterEach
  void stop() {
    ca.close();
  }

  @Test
  void joiningWithTheWorkerTokenCreatesAnAcceptedWorkerWithAnIssuedCertificate() throws Exception {
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(stateDir);
    SecurityConfig worker = requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.DRAIN, files);

    NodeIdentity id = worker.identity();
    assertThat(id.role()).isEqualTo(Roles.WORKER);
    assertThat(id.clusterId()).isEqualTo(ca.clusterId);
    assertThat(id.nodeId()).hasSize(25);
    Node node = ca.store.view(tx -> tx.get(Table.NODES, id.nodeId())).orElseThrow();
    assertThat(node.getRole()).isEqualTo(NodeRole.WORKER);
    assertThat(node.getSpec().getDesiredRole()).isEqualTo(NodeRole.WORKER);
    assertThat(node.getSpec().getMembership()).isEqualTo(NodeSpec.Membership.ACCEPTED);
    assertThat(node.getSpec().getAvailability()).isEqualTo(NodeSpec.Availability.DRAIN);
    assertThat(node.getCertificate().getStatus().getState()).isEqualTo(IssuanceStatus.State.ISSUED);
    assertThat(node.getCertificate().getCertificate().toByteArray()).isEqualTo(worker.certificatePem());
    // validity = the cluster's node_cert_expiry plus the 1h backdate
    assertThat(Duration.between(worker.notBefore(), worker.notAfter())).isEqualTo(Duration.ofHours(4));
    assertThat(files.load().identity()).isEqualTo(id);
    assertThat(files.load().rootCA().certPem()).isEqualTo(ca.root.certPem());
  }

  @Test
  void joiningWithTheManagerTokenMakesAManager() throws Exception {
    SecurityConfig manager = requester.join(ca.address(), ca.managerToken(), NodeSpec.Availability.ACTIVE, null);
    assertThat(manager.identity().role()).isEqualTo(Roles.MANAGER);
    assertThat(ca.store.view(tx -> tx.get(Table.NODES, manager.identity().nodeId())).orElseThrow().getRole())
        .isEqualTo(NodeRole.MANAGER);
    // and it may call manager-only methods
    assertThat(call(manager.clientSslContext(), s -> s.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()))
        .getVersion().getIndex()).isEqualTo(ca.cluster().getMeta().getVersion().getIndex());
  }

  @Test
  void managersGetTheUnlockKeyOnlyWhenAutolockIsOn() throws Exception {
    SecurityConfig manager = requester.join(ca.address(), ca.managerToken(), NodeSpec.Availability.ACTIVE, null);
    assertThat(call(manager.clientSslContext(), s -> s.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()))
        .getUnlockKey().isEmpty()).isTrue();
    ca.updateCluster(c -> c.toBuilder()
        .setSpec(c.getSpec().toBuilder().setEncryptionConfig(
            dev.swarmkit.api.EncryptionConfig.newBuilder().setAutoLockManagers(true)))
        .addUnlockKeys(dev.swarmkit.api.EncryptionKey.newBuilder().setSubsystem("swarm-manager")
            .setKey(CaFixture.bytes("secret-kek".getBytes(StandardCharsets.US_ASCII))))
        .build());
    var response = call(manager.clientSslContext(), s -> s.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()));
    assertThat(response.getUnlockKey().toStringUtf8()).isEqualTo("secret-kek");
    assertThat(response.getVersion().getIndex()).isEqualTo(ca.cluster().getMeta().getVersion().getIndex());
  }

  @Test
  void aTokenOfAnotherClusterIsRefusedBeforeAnythingIsRequested() {
    String foreign = JoinToken.generate(RootCA.create());
    assertUnchanged(() -> assertThatThrownBy(
            () -> requester.join(ca.address(), foreign, NodeSpec.Availability.ACTIVE, null))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("remote CA does not match fingerprint"));
  }

  @Test
  void aTokenWithTheRightRootButAWrongSecretIsRefused() {
    String guessed = JoinToken.generate(ca.root);
    assertUnchanged(() -> assertThatThrownBy(
            () -> requester.join(ca.address(), guessed, NodeSpec.Availability.ACTIVE, null))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo("A valid join token is necessary to join this cluster");
        }));
  }

  @Test
  void aMalformedTokenIsRefusedByClientAndServer() {
    assertUnchanged(() -> {
      assertThatThrownBy(() -> requester.join(ca.address(), "SWMTKN-1-nope", NodeSpec.Availability.ACTIVE, null))
          .isInstanceOf(InvalidJoinTokenException.class).hasMessage("invalid join token");
      assertInvalidArgument(() -> issue("SWMTKN-1-nope", NodeKeys.createCsr(NodeKeys.generateKeyPair())),
          "A valid join token");
      assertInvalidArgument(() -> issue("", NodeKeys.createCsr(NodeKeys.generateKeyPair())), "A valid join token");
    });
  }

  @Test
  void aRotatedAwayTokenNoLongerWorksButTheNewOneDoes() throws Exception {
    String old = ca.workerToken();
    String oldManager = ca.managerToken();
    ca.updateCluster(c -> ClusterSecurity.rotateJoinTokens(c, true, false));
    assertThat(ca.workerToken()).isNotEqualTo(old).matches("^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$");
    assertThat(ca.managerToken()).isEqualTo(oldManager);
    assertThat(old.substring(0, 60)).isEqualTo(ca.workerToken().substring(0, 60));

    assertUnchanged(() -> assertThatThrownBy(
            () -> requester.join(ca.address(), old, NodeSpec.Availability.ACTIVE, null))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT)));
    assertThat(requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.ACTIVE, null)
        .identity().role()).isEqualTo(Roles.WORKER);
  }

  @Test
  void garbageEmptyOrForgedCsrsAreInvalidArguments() {
    assertUnchanged(() -> {
      assertInvalidArgument(() -> issue(ca.workerToken(), "garbage".getBytes(StandardCharsets.US_ASCII)),
          "invalid certificate request");
      assertInvalidArgument(() -> issue(ca.workerToken(), new byte[0]), "csr");
      assertInvalidArgument(() -> issue(ca.workerToken(), RootCATest.mismatchedCsr()), "signature");
    });
  }

  @Test
  void aWorkerCertificateCannotCallManagerOnlyMethods() throws Exception {
    SecurityConfig worker = requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.ACTIVE, null);
    assertDenied(worker.clientSslContext(), "not part of OUs: [swarm-manager]");
  }

  @Test
  void secureMethodsNeedAClientCertificate() {
    SslContext anonymous = TlsContexts.client(new ReloadableKeyManager(),
        new ReloadableTrustManager(ca.root.certificate()));
    assertDenied(anonymous, "no client certificates");
    // while insecure methods stay open
    assertThat(call(anonymous, s -> s.getRootCACertificate(GetRootCACertificateRequest.getDefaultInstance()))
        .getCertificate().toByteArray()).isEqualTo(ca.root.certPem());
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    SecurityConfig expired = ca.certificate(ca.manager.identity().nodeId(), Roles.MANAGER, ca.clusterId,
        Duration.ofHours(-1), Duration.ofHours(2));
    assertDenied(expired.clientSslContext(), "expired");
  }

  @Test
  void certificatesOfAnotherClusterAreRefused() throws Exception {
    SecurityConfig otherOrg = ca.certificate("node1", Roles.MANAGER, "someothercluster", Duration.ofHours(1),
        Duration.ZERO);
    assertDenied(otherOrg.clientSslContext(), "not part of organization");

    SecurityConfig otherRoot = ClusterSecurity.issueLocally(RootCA.create(), "node1", NodeRole.MANAGER,
        ca.clusterId, Duration.ofHours(1));
    // trusts our root for the server but presents a certificate of a foreign root
    SslContext foreign = TlsContexts.client(otherRoot.keyManager(), new ReloadableTrustManager(ca.root.certificate()));
    assertDenied(foreign, "does not chain to the swarm root CA");
  }

  @Test
  void aRemovedNodesCertificateIsRefused() throws Exception {
    SecurityConfig manager = requester.join(ca.address(), ca.managerToken(), NodeSpec.Availability.ACTIVE, null);
    ca.updateCluster(c -> c.toBuilder().putBlacklistedCertificates(manager.identity().nodeId(),
        BlacklistedCertificate.getDefaultInstance()).build());
    assertDenied(manager.clientSslContext(), "was removed from swarm");
  }

  @Test
  void anExistingNodeRenewsWithItsCertificateKeepingItsIdAndTakingItsCurrentRole() throws Exception {
    SecurityConfig node = requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.ACTIVE, null);
    String id = node.identity().nodeId();
    var firstSerial = node.certificate().getSerialNumber();
    int nodeCount = ca.nodes().size();

    assertThat(requester.renew(node, ca.address(), null)).isEqualTo(new NodeIdentity(id, Roles.WORKER, ca.clusterId));
    assertThat(node.certificate().getSerialNumber()).isNotEqualTo(firstSerial);

    // promotion: the manager's role reconciliation sets node.role; the next renewal carries it
    ca.updateNode(id, n -> n.toBuilder().setRole(NodeRole.MANAGER)
        .setSpec(n.getSpec().toBuilder().setDesiredRole(NodeRole.MANAGER)).build());
    assertThat(requester.renew(node, ca.address(), null).role()).isEqualTo(Roles.MANAGER);
    assertThat(ca.nodes()).hasSize(nodeCount);
    Node stored = ca.store.view(tx -> tx.get(Table.NODES, id)).orElseThrow();
    assertThat(stored.getCertificate().getCertificate().toByteArray()).isEqualTo(node.certificatePem());
    assertThat(stored.getCertificate().getRole()).isEqualTo(NodeRole.MANAGER);
  }

  @Test
  void newConnectionsAfterAPromotionPresentTheRenewedCertificate() throws Exception {
    SecurityConfig node = requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.ACTIVE, null);
    String id = node.identity().nodeId();
    // a first connection establishes (and would cache) a TLS session with the worker certificate
    assertDenied(node.clientSslContext(), "not part of OUs");
    ca.updateNode(id, n -> n.toBuilder().setRole(NodeRole.MANAGER).build());
    requester.renew(node, ca.address(), null);
    assertThat(call(node.clientSslContext(), s -> s.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()))
        .getVersion().getIndex()).isPositive();
  }

  @Test
  void certificateStatusWaitsForAPendingCertificateToBeIssued() throws Exception {
    Node pending = Node.newBuilder().setId("pendingnode")
        .setCertificate(dev.swarmkit.api.Certificate.newBuilder()
            .setStatus(IssuanceStatus.newBuilder().setState(IssuanceStatus.State.PENDING)))
        .build();
    ca.store.update(tx -> tx.create(Table.NODES, pending));
    SslContext anonymous = TlsContexts.client(new ReloadableKeyManager(),
        new ReloadableTrustManager(ca.root.certificate()));
    ManagedChannel channel = CertificateRequester.channel(ca.address(), anonymous, Roles.MANAGER);
    try {
      var answer = NodeCAGrpc.newFutureStub(channel).nodeCertificateStatus(
          NodeCertificateStatusRequest.newBuilder().setNodeId("pendingnode").build());
      // still waiting while the certificate is pending
      assertThatThrownBy(() -> answer.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
          .isInstanceOf(java.util.concurrent.TimeoutException.class);
      ca.updateNode("pendingnode", n -> n.toBuilder().setCertificate(n.getCertificate().toBuilder()
          .setCertificate(CaFixture.bytes(new byte[] {42}))
          .setStatus(IssuanceStatus.newBuilder().setState(IssuanceStatus.State.ISSUED))).build());
      var response = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(response.getStatus().getState()).isEqualTo(IssuanceStatus.State.ISSUED);
      assertThat(response.getCertificate().getCertificate().toByteArray()).containsExactly(42);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void certificateStatusOfUnknownOrMissingNodeIsRefused() {
    SslContext anonymous = TlsContexts.client(new ReloadableKeyManager(),
        new ReloadableTrustManager(ca.root.certificate()));
    ManagedChannel channel = CertificateRequester.channel(ca.address(), anonymous, Roles.MANAGER);
    try {
      var stub = NodeCAGrpc.newBlockingStub(channel);
      assertThatThrownBy(() -> stub.nodeCertificateStatus(NodeCertificateStatusRequest.newBuilder()
          .setNodeId("nosuchnode").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      assertThatThrownBy(() -> stub.nodeCertificateStatus(NodeCertificateStatusRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    } finally {
      channel.shutdownNow();
    }
  }

  // --- helpers ---

  private void issue(String token, byte[] csr) {
    SslContext anonymous = TlsContexts.client(new ReloadableKeyManager(),
        new ReloadableTrustManager(ca.root.certificate()));
    ManagedChannel channel = CertificateRequester.channel(ca.address(), anonymous, Roles.CA);
    try {
      NodeCAGrpc.newBlockingStub(channel).issueNodeCertificate(IssueNodeCertificateRequest.newBuilder()
          .setToken(token).setCsr(CaFixture.bytes(csr)).build());
    } finally {
      channel.shutdownNow();
    }
  }

  private <T> T call(SslContext tls, java.util.function.Function<CAGrpc.CABlockingStub, T> rpc) {
    ManagedChannel channel = CertificateRequester.channel(ca.address(), tls, Roles.MANAGER);
    try {
      return rpc.apply(CAGrpc.newBlockingStub(channel));
    } finally {
      channel.shutdownNow();
    }
  }

  private void assertDenied(SslContext tls, String reason) {
    assertUnchanged(() -> assertThatThrownBy(
            () -> call(tls, s -> s.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance())))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains(reason);
        }));
  }

  private static void assertInvalidArgument(ThrowingCallable call, String reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains(reason);
    });
  }

  /** Runs {@code check} and asserts the store did not change. */
  private void assertUnchanged(Runnable check) {
    long version = ca.store.currentVersion();
    List<Node> nodes = ca.nodes();
    check.run();
    assertThat(ca.store.currentVersion()).isEqualTo(version);
    assertThat(ca.nodes()).isEqualTo(nodes);
  }
}
