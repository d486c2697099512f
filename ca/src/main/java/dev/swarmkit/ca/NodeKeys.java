package dev.swarmkit.ca;

import java.security.KeyPair;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Key generation and certificate requests, as upstream's GenerateNewCSR (ECDSA P-256). */
public final class NodeKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeKeys() {}

  /** A fresh ECDSA P-256 key pair (the JDK's key objects, made with {@link P256}'s faster arithmetic). */
  public static KeyPair generateKeyPair() {
    return P256.generateKeyPair(RANDOM);
  }

  /**
   * A PEM CSR signed with {@code keyPair}. The subject is empty: the CA decides CN, OU and O, so a
   * node cannot choose its own identity.
   */
  public static byte[] createCsr(KeyPair keyPair) {
    PKCS10CertificationRequest csr =
        new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                keyPair.getPublic())
            .build(RootCA.signer(keyPair.getPrivate()));
    return Pem.encode(csr);
  }
}
