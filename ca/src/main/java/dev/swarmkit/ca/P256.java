package dev.swarmkit.ca;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The P-256 curve's arithmetic from Bouncy Castle's lightweight API, for the operations every node
 * and the CA repeat: key generation, ECDSA signatures of certificates and requests, and their
 * checks. The JDK's EC code is written for the C2 compiler, and swarmd runs C1 only, where it is four
 * to six times slower. The lightweight classes need no JCA provider (building Bouncy Castle's costs
 * 100 ms, which a node's start would pay); keys are handed out as the JDK's own key objects. Other
 * keys (RSA, other curves: an external or imported CA's) are left to the JDK.
 */
final class P256 {

  static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
  static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE);
  private static final BigInteger GX = CURVE.getG().normalize().getAffineXCoord().toBigInteger();

  /** Certificate signature algorithms (OIDs) this class checks, and their digests. */
  private static final Map<String, String> ECDSA_DIGESTS = Map.of(
      "1.2.840.10045.4.3.2", "SHA-256",
      "1.2.840.10045.4.3.3", "SHA-384",
      "1.2.840.10045.4.3.4", "SHA-512");

  private P256() {}

  static boolean is(ECParameterSpec params) {
    return params.getCurve().getField().getFieldSize() == 256 && params.getOrder().equals(CURVE.getN())
        && params.getGenerator().getAffineX().equals(GX);
  }

  /** Whether {@link #verify} can check {@code cert}'s signature by {@code key}. */
  static boolean canVerify(X509Certificate cert, PublicKey key) {
    return key instanceof ECPublicKey ec && is(ec.getParams()) && ECDSA_DIGESTS.containsKey(cert.getSigAlgOID());
  }

  /** Checks {@code cert}'s ECDSA signature by {@code key}, as {@link X509Certificate#verify(PublicKey)}. */
  static void verify(X509Certificate cert, ECPublicKey key) throws GeneralSecurityException {
    String digest = ECDSA_DIGESTS.get(cert.getSigAlgOID());
    if (digest == null || !is(key.getParams())) {
      throw new SignatureException("not an ECDSA P-256 signature: " + cert.getSigAlgName());
    }
    ECPublicKeyParameters publicKey;
    try {
      publicKey = new ECPublicKeyParameters( // checks that the point is on the curve
          CURVE.getCurve().createPoint(key.getW().getAffineX(), key.getW().getAffineY()), DOMAIN);
    } catch (IllegalArgumentException e) {
      throw new SignatureException("invalid ECDSA key: " + e.getMessage(), e);
    }
    if (!verifies(cert.getTBSCertificate(), cert.getSignature(), digest, publicKey)) {
      throw new SignatureException("Signature does not match.");
    }
  }

  /** Whether {@link #csrSignatureValid} can check {@code csr}: a P-256 key and an ECDSA signature. */
  static boolean canVerify(PKCS10CertificationRequest csr) {
    SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
    return X9ObjectIdentifiers.id_ecPublicKey.equals(key.getAlgorithm().getAlgorithm())
        && SECObjectIdentifiers.secp256r1.equals(key.getAlgorithm().getParameters())
        && ECDSA_DIGESTS.containsKey(csr.getSignatureAlgorithm().getAlgorithm().getId());
  }

  /** Whether {@code csr} carries a valid ECDSA signature by its own P-256 key. */
  static boolean csrSignatureValid(PKCS10CertificationRequest csr) throws GeneralSecurityException {
    if (!canVerify(csr)) {
      throw new SignatureException("not an ECDSA P-256 certificate request");
    }
    try {
      ECPublicKeyParameters key = new ECPublicKeyParameters(
          CURVE.getCurve().decodePoint(csr.getSubjectPublicKeyInfo().getPublicKeyData().getOctets()), DOMAIN);
      return verifies(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER),
          csr.getSignature(), ECDSA_DIGESTS.get(csr.getSignatureAlgorithm().getAlgorithm().getId()), key);
    } catch (IllegalArgumentException | java.io.IOException e) {
      return false;
    }
  }

  private static boolean verifies(byte[] data, byte[] signature, String digest, ECPublicKeyParameters key)
      throws GeneralSecurityException {
    BigInteger[] rs;
    try {
      rs = StandardDSAEncoding.INSTANCE.decode(CURVE.getN(), signature); // strict DER
    } catch (IllegalArgumentException | java.io.IOException e) {
      return false;
    }
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, key);
    return signer.verifySignature(MessageDigest.getInstance(digest).digest(data), rs[0], rs[1]);
  }

  /**
   * A signer (ECDSA with SHA-256) for certificates and requests when {@code key} is a P-256 key. Bouncy
   * Castle's JCA provider turns a JDK key into a curve of its own on every signature, and so repeats
   * the precomputation of the base point's multiples (three quarters of a signature's time).
   */
  static Optional<ContentSigner> signer(PrivateKey key) {
    if (!(key instanceof ECPrivateKey ec) || !is(ec.getParams())) {
      return Optional.empty();
    }
    AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
    try {
      return Optional.of(new BcECContentSignerBuilder(signature,
          new DefaultDigestAlgorithmIdentifierFinder().find(signature))
          .build(new ECPrivateKeyParameters(ec.getS(), DOMAIN)));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("ECDSA P-256 signing is not available", e);
    }
  }

  /** A fresh key pair, as the JDK's key objects. */
  static KeyPair generateKeyPair(SecureRandom random) {
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(DOMAIN, random));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    BigInteger d = ((ECPrivateKeyParameters) pair.getPrivate()).getD();
    ECPoint q = ((ECPublicKeyParameters) pair.getPublic()).getQ().normalize();
    try {
      ECParameterSpec params = JdkParams.SPEC;
      KeyFactory factory = KeyFactory.getInstance("EC");
      return new KeyPair(
          factory.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
              q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), params)),
          factory.generatePrivate(new ECPrivateKeySpec(d, params)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is not available", e);
    }
  }

  /** The JDK's description of the curve, looked up once and only where keys are made. */
  private static final class JdkParams {
    static final ECParameterSpec SPEC;

    static {
      try {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        SPEC = parameters.getParameterSpec(ECParameterSpec.class);
      } catch (GeneralSecurityException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
