package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import io.grpc.ManagedChannel;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenewalSupervisorTest {

  @TempDir Path stateDir;

  @Test
  void renewalHappensBetweenHalfAndFourFifthsOfTheValidity() {
    Instant notBefore = Instant.parse("2026-01-01T00:00:00Z");
    Instant notAfter = notBefore.plus(Duration.ofHours(100));
    for (int i = 0; i < 200; i++) {
      Duration delay = RenewalSupervisor.renewalDelay(notBefore, notAfter, notBefore);
      assertThat(delay).isBetween(Duration.ofHours(50), Duration.ofHours(80));
    }
    // measured from the certificate's start, not from now
    assertThat(RenewalSupervisor.renewalDelay(notBefore, notAfter, notBefore.plus(Duration.ofHours(40))))
        .isBetween(Duration.ofHours(10), Duration.ofHours(40));
    assertThat(RenewalSupervisor.renewalDelay(notBefore, notAfter, notBefore.plus(Duration.ofHours(90))))
        .isZero();
  }

  @Test
  void shortLivedCertificatesRenewByThemselvesAndAConnectedClientKeepsWorking() throws Exception {
    try (CaFixture ca = new CaFixture(Duration.ofSeconds(3),
        new CAServer.Options(Duration.ZERO, Duration.ofSeconds(1)))) {
      NodeCertificateFiles files = NodeCertificateFiles.inStateDir(stateDir);
      CertificateRequester requester = new CertificateRequester();
      SecurityConfig node = requester.join(ca.address(), ca.managerToken(), NodeSpec.Availability.ACTIVE, files);
      Instant firstExpiry = node.notAfter();
      Set<BigInteger> serials = new HashSet<>();
      serials.add(node.certificate().getSerialNumber());
      CopyOnWriteArrayList<NodeIdentity> notified = new CopyOnWriteArrayList<>();
      node.addListener(notified::add);

      ManagedChannel channel = CertificateRequester.channel(ca.address(), node.clientSslContext(), Roles.MANAGER);
      var stub = CAGrpc.newBlockingStub(channel);
      stub.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance());

      try (RenewalSupervisor supervisor = new RenewalSupervisor(node, ca::address, files, requester,
          new RenewalSupervisor.Options(Duration.ofMillis(200), Duration.ofSeconds(1))).start()) {
        // outlive the first certificate, renewing at least twice
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          serials.add(node.certificate().getSerialNumber());
          return serials.size() >= 3 && Instant.now().isAfter(firstExpiry);
        });
        // the established connection still works, and so does a new one with the renewed certificate
        stub.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance());
        ManagedChannel fresh = CertificateRequester.channel(ca.address(), node.clientSslContext(), Roles.MANAGER);
        try {
          CAGrpc.newBlockingStub(fresh).getUnlockKey(GetUnlockKeyRequest.getDefaultInstance());
        } finally {
          fresh.shutdownNow();
        }
      } finally {
        channel.shutdownNow();
      }
      assertThat(node.notAfter()).isAfter(firstExpiry);
      assertThat(notified).isNotEmpty().allMatch(id -> id.equals(node.identity()));
      assertThat(Files.readAllBytes(files.nodeCertPath())).isNotEmpty();
      assertThat(files.load().certificate().getNotAfter()).isAfterOrEqualTo(
          java.util.Date.from(firstExpiry));
    }
  }

  @Test
  void aRoleChangeTriggersARenewalThatCarriesTheNewRole() throws Exception {
    try (CaFixture ca = new CaFixture(Duration.ofHours(3), CAServer.Options.defaults())) {
      CertificateRequester requester = new CertificateRequester();
      SecurityConfig node = requester.join(ca.address(), ca.workerToken(), NodeSpec.Availability.ACTIVE, null);
      String id = node.identity().nodeId();
      try (RenewalSupervisor supervisor = new RenewalSupervisor(node, ca::address, null, requester,
          new RenewalSupervisor.Options(Duration.ofMillis(100), Duration.ofMillis(500))).start()) {
        // the agent learns of the promotion before the manager reconciled node.role: keeps retrying
        supervisor.roleChanged(NodeRole.MANAGER);
        ca.updateNode(id, n -> n.toBuilder().setRole(NodeRole.MANAGER).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> node.identity().isManager());
        assertThat(node.identity()).isEqualTo(new NodeIdentity(id, Roles.MANAGER, ca.clusterId));
      }
    }
  }
}
