package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class P256Test {

  private static final RootCA ROOT = RootCA.create();

  private static X509Certificate issued(RootCA root) throws Exception {
    return Pem.decodeCertificates(root.signCsr(NodeKeys.createCsr(NodeKeys.generateKeyPair()), "n", Roles.WORKER,
        "c", Duration.ofHours(1))).get(0);
  }

  @Test
  void generatedKeysAreP256KeysTheJdkSignsAndVerifiesWith() throws Exception {
    KeyPair pair = NodeKeys.generateKeyPair();
    assertThat(pair.getPublic()).isInstanceOf(ECPublicKey.class);
    assertThat(P256.is(((ECPublicKey) pair.getPublic()).getParams())).isTrue();
    assertThatCode(() -> KeyPairCheck.ensureMatches(pair.getPublic(), pair.getPrivate())).doesNotThrowAnyException();

    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(pair.getPrivate());
    sign.update(new byte[] {1, 2, 3});
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(pair.getPublic());
    verify.update(new byte[] {1, 2, 3});
    assertThat(verify.verify(signature)).isTrue();
    assertThat(NodeKeys.generateKeyPair().getPublic()).isNotEqualTo(pair.getPublic());
  }

  @Test
  void aCertificatesSignatureVerifiesUnderItsIssuersKeyOnlyAsTheJdkDecides() throws Exception {
    X509Certificate cert = issued(ROOT);
    ECPublicKey rootKey = (ECPublicKey) ROOT.certificate().getPublicKey();
    ECPublicKey otherKey = (ECPublicKey) RootCA.create().certificate().getPublicKey();
    assertThat(P256.canVerify(cert, rootKey)).isTrue();

    assertThatCode(() -> P256.verify(cert, rootKey)).doesNotThrowAnyException();
    assertThatCode(() -> cert.verify(rootKey)).doesNotThrowAnyException();
    assertThatThrownBy(() -> P256.verify(cert, otherKey)).isInstanceOf(SignatureException.class);
    assertThatThrownBy(() -> cert.verify(otherKey)).isInstanceOf(SignatureException.class);
  }

  @Test
  void aCertificateWithAlteredSignatureBytesDoesNotVerify() throws Exception {
    byte[] der = issued(ROOT).getEncoded();
    der[der.length - 1] ^= 0x01; // the last byte of the signature's s
    X509Certificate altered = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
    ECPublicKey rootKey = (ECPublicKey) ROOT.certificate().getPublicKey();

    assertThatThrownBy(() -> P256.verify(altered, rootKey)).isInstanceOf(SignatureException.class);
    assertThatThrownBy(() -> altered.verify(rootKey)).isInstanceOf(SignatureException.class);
    assertThatThrownBy(() -> ROOT.verify(altered, java.time.Instant.now()))
        .hasMessageContaining("does not chain to the swarm root CA");
  }

  @Test
  void aRequestsSignatureVerifiesUnderItsOwnKeyOnly() throws Exception {
    PKCS10CertificationRequest csr = Pem.decodeCsr(NodeKeys.createCsr(NodeKeys.generateKeyPair()));
    assertThat(P256.canVerify(csr)).isTrue();
    assertThat(P256.csrSignatureValid(csr)).isTrue();
    assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
        .build(new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo()))))
        .isTrue();

    PKCS10CertificationRequest mismatched = Pem.decodeCsr(RootCATest.mismatchedCsr());
    assertThat(P256.csrSignatureValid(mismatched)).isFalse();

    byte[] der = csr.getEncoded();
    der[der.length - 1] ^= 0x01; // the last byte of the signature's s
    assertThat(P256.csrSignatureValid(new PKCS10CertificationRequest(der))).isFalse();
  }

  @Test
  void rsaKeysAndOtherCurvesAreLeftToTheJdk() throws Exception {
    X509Certificate cert = issued(ROOT);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThat(P256.canVerify(cert, rsa.generateKeyPair().getPublic())).isFalse();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
    KeyPair p384 = ec.generateKeyPair();
    assertThat(P256.canVerify(cert, p384.getPublic())).isFalse();
    assertThat(P256.signer(p384.getPrivate())).isEmpty();
    assertThat(P256.signer(NodeKeys.generateKeyPair().getPrivate())).isPresent();
  }
}
