package dev.swarmkit.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Whether a private key belongs to a certificate's public key. For P-256, the curve of every key
 * swarmd makes, the public point is derived from the private scalar and compared, as Go's
 * {@code tls.X509KeyPair} does: one fixed-base multiplication instead of a signature and its
 * verification (three multiplications in the JDK's slower arithmetic), which showed in a node's
 * join. Other keys are checked by signing and verifying.
 */
final class KeyPairCheck {

  private KeyPairCheck() {}

  static void ensureMatches(PublicKey publicKey, PrivateKey privateKey) throws CertificateException {
    if (publicKey instanceof ECPublicKey pub && privateKey instanceof ECPrivateKey priv
        && P256.is(pub.getParams()) && P256.is(priv.getParams())) {
      BigInteger s = priv.getS();
      if (s.signum() <= 0 || s.compareTo(P256.CURVE.getN()) >= 0) {
        throw new CertificateException("certificate key mismatch: private key out of range");
      }
      ECPoint q = new FixedPointCombMultiplier().multiply(P256.CURVE.getG(), s).normalize();
      if (q.isInfinity() || !q.getAffineXCoord().toBigInteger().equals(pub.getW().getAffineX())
          || !q.getAffineYCoord().toBigInteger().equals(pub.getW().getAffineY())) {
        throw new CertificateException("certificate key mismatch");
      }
      return;
    }
    signAndVerify(publicKey, privateKey);
  }

  private static void signAndVerify(PublicKey publicKey, PrivateKey privateKey) throws CertificateException {
    try {
      byte[] probe = "swarm-ca key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      String algorithm = publicKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(privateKey);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(publicKey);
      verify.update(probe);
      if (!verify.verify(signature)) {
        throw new CertificateException("certificate key mismatch");
      }
    } catch (GeneralSecurityException e) {
      throw new CertificateException("certificate key mismatch: " + e.getMessage(), e);
    }
  }
}
