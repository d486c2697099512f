package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RootRotationsTest {

  private final dev.swarmkit.api.RootCA current = ClusterSecurity.newApiRootCA();

  private Cluster withCa(CAConfig.Builder ca) {
    return Cluster.newBuilder().setId("c1").setSpec(ClusterSpec.newBuilder().setCaConfig(ca)).setRootCa(current).build();
  }

  @Test
  void forceRotateStartsARotationWhoseCertificatesChainToTheOldRootThroughTheCrossSignedRoot() throws Exception {
    dev.swarmkit.api.RootCA rotated = RootRotations.reconcile(withCa(CAConfig.newBuilder().setForceRotate(1)));

    assertThat(rotated.getCaCert()).isEqualTo(current.getCaCert());
    assertThat(rotated.getLastForcedRotation()).isEqualTo(1);
    RootCA old = ClusterSecurity.fromApi(current);
    RootCA next = RootCA.fromPem(rotated.getRootRotation().getCaCert().toByteArray(),
        rotated.getRootRotation().getCaKey().toByteArray());
    byte[] leafPem = next.signCsr(NodeKeys.createCsr(NodeKeys.generateKeyPair()), "n1", Roles.WORKER, "c1",
        Duration.ofHours(1));
    X509Certificate leaf = Pem.decodeCertificates(leafPem).get(0);
    X509Certificate cross = Pem.decodeCertificates(rotated.getRootRotation().getCrossSignedCaCert().toByteArray()).get(0);

    assertThatThrownBy(() -> old.verify(leaf, Instant.now())).isInstanceOf(java.security.cert.CertificateException.class);
    old.verifyChain(new X509Certificate[] {leaf, cross}, Instant.now());
    next.verifyChain(new X509Certificate[] {leaf, cross}, Instant.now());
    assertThat(next.signedDirectly(leaf)).isTrue();
    assertThat(old.signedDirectly(leaf)).isFalse();

    // unchanged settings keep the rotation as it is
    Cluster again = withCa(CAConfig.newBuilder().setForceRotate(1)).toBuilder().setRootCa(rotated).build();
    assertThat(RootRotations.reconcile(again)).isEqualTo(rotated);
  }

  @Test
  void aGivenSigningCaIsRotatedToAndUnusableOnesAreRefused() throws Exception {
    RootCA given = RootCA.create();
    dev.swarmkit.api.RootCA rotated = RootRotations.reconcile(withCa(CAConfig.newBuilder()
        .setSigningCaCert(ByteString.copyFrom(given.certPem()))
        .setSigningCaKey(ByteString.copyFrom(given.keyPem().orElseThrow()))));
    assertThat(rotated.getRootRotation().getCaCert().toByteArray()).isEqualTo(given.certPem());

    assertThatThrownBy(() -> RootRotations.reconcile(withCa(CAConfig.newBuilder()
        .setSigningCaCert(ByteString.copyFrom(given.certPem())))))
        .hasMessageContaining("the signing CA certificate and key must be given together");
    assertThatThrownBy(() -> RootRotations.reconcile(withCa(CAConfig.newBuilder()
        .setSigningCaCert(ByteString.copyFromUtf8("not a certificate")).setSigningCaKey(ByteString.copyFromUtf8("x")))))
        .hasMessageContaining("invalid signing CA");
  }
}
