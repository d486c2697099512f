package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.IssueNodeCertificateRequest;
import dev.swarmkit.api.IssueNodeCertificateResponse;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.store.Table;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's node CA answering calls a follower manager relays: the relay authenticates with the
 * follower's manager certificate, yet joins and renewals act for the original caller only.
 */
class RelayedNodeCATest {

  private CaFixture leader;
  private SecurityConfig follower;
  private final CertificateRequester requester =
      new CertificateRequester(new CertificateRequester.Options(Duration.ofSeconds(5), Duration.ofSeconds(20)));

  @BeforeEach
  void start() throws Exception {
    leader = new CaFixture(Duration.ofHours(3), CAServer.Options.defaults());
    follower = leader.manager;
  }

  @AfterEach
  void stop() {
    leader.close();
  }

  @Test
  void aTokenlessRequestRelayedForACallerWithoutCertificateIsNotARenewalOfTheRelayingManager() throws Exception {
    Node followerNode = node(follower.identity().nodeId());
    long version = leader.store.currentVersion();

    assertThatThrownBy(() -> issue(follower, ForwardedCaller.headers(Optional.empty(), "10.0.0.9:5555"), ""))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("A valid join token is necessary");
        });
    assertThat(leader.store.currentVersion()).isEqualTo(version);
    assertThat(node(follower.identity().nodeId())).isEqualTo(followerNode);
  }

  @Test
  void aRelayedJoinWithATokenCreatesANewNodeOfTheTokensRole() throws Exception {
    int before = leader.nodes().size();
    IssueNodeCertificateResponse response =
        issue(follower, ForwardedCaller.headers(Optional.empty(), "10.0.0.9:5555"), leader.workerToken());

    assertThat(response.getNodeId()).isNotEqualTo(follower.identity().nodeId());
    assertThat(leader.nodes()).hasSize(before + 1);
    Node created = node(response.getNodeId());
    assertThat(created.getRole()).isEqualTo(NodeRole.WORKER);
    assertThat(created.getSpec().getMembership()).isEqualTo(NodeSpec.Membership.ACCEPTED);
  }

  @Test
  void aRelayedRenewalRenewsTheOriginalCallersCertificateKeepingItsRole() throws Exception {
    SecurityConfig worker = requester.join(leader.address(), leader.workerToken(), NodeSpec.Availability.ACTIVE, null);
    String workerId = worker.identity().nodeId();
    byte[] before = node(workerId).getCertificate().getCertificate().toByteArray();
    Node followerNode = node(follower.identity().nodeId());

    IssueNodeCertificateResponse response =
        issue(follower, ForwardedCaller.headers(Optional.of(worker.identity()), "10.0.0.9:5555"), "");

    assertThat(response.getNodeId()).isEqualTo(workerId);
    Node renewed = node(workerId);
    assertThat(renewed.getCertificate().getCertificate().toByteArray()).isNotEqualTo(before);
    assertThat(renewed.getCertificate().getRole()).isEqualTo(NodeRole.WORKER);
    assertThat(node(follower.identity().nodeId())).isEqualTo(followerNode);
  }

  @Test
  void aWorkerCannotRelayNorPassItselfOffAsCertificateless() throws Exception {
    SecurityConfig worker = requester.join(leader.address(), leader.workerToken(), NodeSpec.Availability.ACTIVE, null);
    long version = leader.store.currentVersion();

    for (Metadata forged : new Metadata[] {
        ForwardedCaller.headers(Optional.of(follower.identity()), ""),
        ForwardedCaller.headers(Optional.empty(), "")}) {
      assertThatThrownBy(() -> issue(worker, forged, leader.managerToken()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("unauthorized forwarder role");
          });
    }
    assertThat(leader.store.currentVersion()).isEqualTo(version);
  }

  private IssueNodeCertificateResponse issue(SecurityConfig relay, Metadata headers, String token) throws Exception {
    byte[] csr = NodeKeys.createCsr(NodeKeys.generateKeyPair());
    ManagedChannel channel = CertificateRequester.channel(leader.address(), relay.clientSslContext(), Roles.MANAGER);
    try {
      return NodeCAGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder()
              .setToken(token).setCsr(CaFixture.bytes(csr)).build());
    } finally {
      channel.shutdownNow();
    }
  }

  private Node node(String id) {
    return leader.store.view(tx -> tx.get(Table.NODES, id)).orElseThrow();
  }
}
