package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class RootCATest {

  private static final RootCA ROOT = RootCA.create();

  @Test
  void newRootIsSelfSignedP256SwarmCaValidTwentyYearsAndBackdated() throws Exception {
    X509Certificate cert = ROOT.certificate();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=swarm-ca");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    cert.verify(cert.getPublicKey());
    Instant now = Instant.now();
    assertThat(cert.getNotBefore().toInstant()).isBefore(now.minus(Duration.ofMinutes(59)));
    assertThat(cert.getNotAfter().toInstant())
        .isAfter(now.plus(RootCA.ROOT_EXPIRATION).minus(Duration.ofMinutes(1)))
        .isBefore(now.plus(RootCA.ROOT_EXPIRATION).plus(Duration.ofMinutes(1)));
    assertThat(ROOT.canSign()).isTrue();
  }

  @Test
  void pemRoundTripKeepsCertificateKeyAndDigest() throws Exception {
    RootCA copy = RootCA.fromPem(ROOT.certPem(), ROOT.keyPem().orElseThrow());
    assertThat(copy.certPem()).isEqualTo(ROOT.certPem());
    assertThat(copy.digestHex()).isEqualTo(ROOT.digestHex()).hasSize(64);
    assertThat(copy.digest()).isEqualTo("sha256:" + ROOT.digestHex());
    assertThat(new String(ROOT.keyPem().orElseThrow(), StandardCharsets.US_ASCII)).contains("EC PRIVATE KEY");
    assertThat(RootCA.fromCertificate(ROOT.certPem()).canSign()).isFalse();
  }

  @Test
  void rootWithSomeoneElsesKeyIsRejected() {
    RootCA other = RootCA.create();
    assertThatThrownBy(() -> RootCA.fromPem(ROOT.certPem(), other.keyPem().orElseThrow()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");
  }

  @Test
  void garbageIsNoRootCertificate() {
    assertThatThrownBy(() -> RootCA.fromCertificate("not a pem".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> RootCA.fromCertificate(new byte[0])).isInstanceOf(CertificateException.class);
  }

  @Test
  void signedNodeCertificateCarriesNodeRoleClusterAndUpstreamSans() throws Exception {
    KeyPair key = NodeKeys.generateKeyPair();
    byte[] pem = ROOT.signCsr(NodeKeys.createCsr(key), "node1", Roles.MANAGER, "cluster1", Duration.ofHours(5));
    X509Certificate cert = ROOT.verifyPem(pem);
    assertThat(NodeIdentity.fromCertificate(cert)).isEqualTo(new NodeIdentity("node1", Roles.MANAGER, "cluster1"));
    assertThat(cert.getPublicKey()).isEqualTo(key.getPublic());
    List<String> sans = cert.getSubjectAlternativeNames().stream().map(l -> (String) l.get(1)).toList();
    assertThat(sans).containsExactly("swarm-manager", "node1", "swarm-ca");
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    Duration validity = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    assertThat(validity).isBetween(Duration.ofHours(6).minusSeconds(5), Duration.ofHours(6).plusSeconds(5));
    assertThat(cert.getNotBefore().toInstant()).isBefore(Instant.now().minus(Duration.ofMinutes(59)));

    X509Certificate worker = ROOT.verifyPem(
        ROOT.signCsr(NodeKeys.createCsr(key), "node2", Roles.WORKER, "cluster1", Duration.ofHours(1)));
    assertThat(worker.getSubjectAlternativeNames().stream().map(l -> (String) l.get(1)).toList())
        .containsExactly("swarm-worker", "node2");
  }

  @Test
  void certificatesOfAnotherRootOrExpiredOnesDoNotVerify() throws Exception {
    RootCA other = RootCA.create();
    byte[] foreign = other.signCsr(NodeKeys.createCsr(NodeKeys.generateKeyPair()), "n", Roles.WORKER, "c",
        Duration.ofHours(1));
    assertThatThrownBy(() -> ROOT.verifyPem(foreign)).isInstanceOf(CertificateException.class);

    byte[] shortLived = ROOT.signCsr(NodeKeys.createCsr(NodeKeys.generateKeyPair()), "n", Roles.WORKER, "c",
        Duration.ofHours(1));
    X509Certificate cert = ROOT.verifyPem(shortLived);
    assertThatThrownBy(() -> ROOT.verify(cert, Instant.now().plus(Duration.ofHours(2))))
        .hasMessageContaining("expired");
  }

  @Test
  void garbageCsrIsRejected() {
    assertThatThrownBy(() -> ROOT.signCsr("garbage".getBytes(StandardCharsets.US_ASCII), "n", Roles.WORKER, "c",
        Duration.ofHours(1))).isInstanceOf(InvalidCsrException.class);
    assertThatThrownBy(() -> ROOT.signCsr(new byte[0], "n", Roles.WORKER, "c", Duration.ofHours(1)))
        .isInstanceOf(InvalidCsrException.class);
  }

  @Test
  void csrWhoseSignatureDoesNotMatchItsKeyIsRejected() {
    assertThatThrownBy(() -> ROOT.signCsr(mismatchedCsr(), "n", Roles.WORKER, "c", Duration.ofHours(1)))
        .isInstanceOf(InvalidCsrException.class).hasMessageContaining("signature");
  }

  /** A CSR carrying one public key but signed with another private key. */
  static byte[] mismatchedCsr() throws Exception {
    KeyPair claimed = NodeKeys.generateKeyPair();
    KeyPair signer = NodeKeys.generateKeyPair();
    return Pem.encode(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), claimed.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
