package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateException;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class KeyPairCheckTest {

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @Test
  void aP256PrivateKeyMatchesItsOwnPublicKeyOnly() throws Exception {
    KeyPair a = ec("secp256r1");
    KeyPair b = ec("secp256r1");
    assertThatCode(() -> KeyPairCheck.ensureMatches(a.getPublic(), a.getPrivate())).doesNotThrowAnyException();
    assertThatThrownBy(() -> KeyPairCheck.ensureMatches(a.getPublic(), b.getPrivate()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");
  }

  @Test
  void otherCurvesAndRsaAreCheckedBySigningAndVerifying() throws Exception {
    KeyPair a = ec("secp384r1");
    KeyPair b = ec("secp384r1");
    assertThatCode(() -> KeyPairCheck.ensureMatches(a.getPublic(), a.getPrivate())).doesNotThrowAnyException();
    assertThatThrownBy(() -> KeyPairCheck.ensureMatches(a.getPublic(), b.getPrivate()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");
    assertThatThrownBy(() -> KeyPairCheck.ensureMatches(ec("secp256r1").getPublic(), a.getPrivate()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");

    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair r = rsa.generateKeyPair();
    assertThatCode(() -> KeyPairCheck.ensureMatches(r.getPublic(), r.getPrivate())).doesNotThrowAnyException();
    assertThatThrownBy(() -> KeyPairCheck.ensureMatches(r.getPublic(), rsa.generateKeyPair().getPrivate()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");
  }
}
