package dev.swarmkit.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Key generation and certificate requests, as upstream's GenerateNewCSR (ECDSA P-256). */
public final class NodeKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeKeys() {}

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair generateKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is not available", e);
    }
  }

  /**
   * A PEM CSR signed with {@code keyPair}. The subject is empty: the CA decides CN, OU and O, so a
   * node cannot choose its own identity.
   */
  public static byte[] createCsr(KeyPair keyPair) {
    try {
      PKCS10CertificationRequest csr =
          new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                  keyPair.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BcProvider.INSTANCE)
                  .build(keyPair.getPrivate()));
      return Pem.encode(csr);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign certificate request", e);
    }
  }
}
