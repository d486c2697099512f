package dev.swarmkit.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The cluster's root of trust: a self-signed ECDSA P-256 certificate and, on managers, its signing
 * key. Signs node CSRs into node certificates and verifies that certificates chain to it.
 */
public final class RootCA {

  /** Root CA validity, upstream's RootCAExpiration (630720000s, 20 years). */
  public static final Duration ROOT_EXPIRATION = Duration.ofSeconds(630_720_000L);
  /** Default node certificate validity (2160h, 3 months). */
  public static final Duration DEFAULT_NODE_CERT_EXPIRY = Duration.ofHours(2160);
  /** Minimum node certificate validity accepted in CAConfig. */
  public static final Duration MIN_NODE_CERT_EXPIRY = Duration.ofHours(1);
  /** How far certificates are backdated to tolerate clock drift. */
  public static final Duration CERT_BACKDATE = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] certPem;
  private final X509Certificate certificate;
  private final PrivateKey signingKey;
  private final String digestHex;

  private RootCA(byte[] certPem, X509Certificate certificate, PrivateKey signingKey) {
    this.certPem = certPem.clone();
    this.certificate = certificate;
    this.signingKey = signingKey;
    this.digestHex = sha256Hex(certPem);
  }

  /** Creates a new self-signed root (CN "swarm-ca", 20 years, backdated), as upstream's CreateRootCA. */
  public static RootCA create() {
    KeyPair keyPair = NodeKeys.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, Roles.ROOT_CN).build();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(name, serialNumber(), Date.from(now.minus(CERT_BACKDATE)),
                  Date.from(now.plus(ROOT_EXPIRATION)), name, keyPair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(Extension.subjectKeyIdentifier, false,
                  extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          builder.build(signer(keyPair.getPrivate())));
      return new RootCA(Pem.encodeCertificate(cert), cert, keyPair.getPrivate());
    } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("failed to create root CA", e);
    }
  }

  /** A root that can only verify (what a worker holds). */
  public static RootCA fromCertificate(byte[] certPem) throws CertificateException {
    return fromPem(certPem, null);
  }

  /**
   * A root from its PEM certificate and optional PEM key. The certificate must be a valid self-signed
   * CA certificate and the key, if any, must match it.
   */
  public static RootCA fromPem(byte[] certPem, byte[] keyPem) throws CertificateException {
    if (certPem == null || certPem.length == 0) {
      throw new CertificateException("no valid root CA certificates found");
    }
    List<X509Certificate> certs = Pem.decodeCertificates(certPem);
    if (certs.size() != 1) {
      throw new CertificateException("expected exactly one root CA certificate, found " + certs.size());
    }
    X509Certificate cert = certs.get(0);
    try {
      cert.verify(cert.getPublicKey());
      cert.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new CertificateException("error while validating Root CA Certificate: " + e.getMessage(), e);
    }
    if (cert.getBasicConstraints() < 0) {
      throw new CertificateException("root certificate is not a CA certificate");
    }
    PrivateKey key = null;
    if (keyPem != null && keyPem.length > 0) {
      key = Pem.decodePrivateKey(keyPem);
      KeyPairCheck.ensureMatches(cert.getPublicKey(), key);
    }
    return new RootCA(certPem, cert, key);
  }

  /** The root certificate PEM bytes exactly as served by GetRootCACertificate. */
  public byte[] certPem() {
    return certPem.clone();
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The signing key as SEC1 PEM ("EC PRIVATE KEY"), if this root can sign. */
  public Optional<byte[]> keyPem() {
    return Optional.ofNullable(signingKey)
        .map(k -> Pem.encodeEcKey(new KeyPair(certificate.getPublicKey(), k)));
  }

  public boolean canSign() {
    return signingKey != null;
  }

  /** Lower-case hex SHA-256 of {@link #certPem()}. */
  public String digestHex() {
    return digestHex;
  }

  /** The digest as upstream writes it in RootCA.ca_cert_hash ("sha256:" + hex). */
  public String digest() {
    return "sha256:" + digestHex;
  }

  /**
   * Validates {@code csrPem} and signs it into a node certificate: CN = node ID, OU = role, O =
   * cluster ID, DNS SANs = role, node ID (and "swarm-ca" for managers), valid from now - backdate
   * until now + expiry. Returns the certificate PEM.
   *
   * @throws InvalidCsrException the CSR is unparseable, its signature does not verify, or its key is
   *     too weak
   */
  public byte[] signCsr(byte[] csrPem, String nodeId, String ou, String clusterId, Duration expiry,
      Duration backdate) throws InvalidCsrException {
    if (signingKey == null) {
      throw new IllegalStateException("this root CA has no signing key");
    }
    PublicKey publicKey = validateCsr(csrPem);
    Instant now = Instant.now();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, clusterId)
        .addRDN(BCStyle.OU, ou)
        .addRDN(BCStyle.CN, nodeId)
        .build();
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, ou));
    names.add(new GeneralName(GeneralName.dNSName, nodeId));
    if (Roles.MANAGER.equals(ou)) {
      names.add(new GeneralName(GeneralName.dNSName, Roles.CA));
    }
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(certificate, serialNumber(), Date.from(now.minus(backdate)),
                  Date.from(now.plus(expiry)), subject, publicKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                  new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
              .addExtension(Extension.subjectKeyIdentifier, false,
                  extensions.createSubjectKeyIdentifier(publicKey))
              .addExtension(Extension.authorityKeyIdentifier, false,
                  extensions.createAuthorityKeyIdentifier(certificate))
              .addExtension(Extension.subjectAlternativeName, false,
                  new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate cert =
          new JcaX509CertificateConverter().getCertificate(builder.build(signer(signingKey)));
      return Pem.encodeCertificate(cert);
    } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("failed to sign node certificate", e);
    }
  }

  /** Same as {@link #signCsr(byte[], String, String, String, Duration, Duration)} with the default backdate. */
  public byte[] signCsr(byte[] csrPem, String nodeId, String ou, String clusterId, Duration expiry)
      throws InvalidCsrException {
    return signCsr(csrPem, nodeId, ou, clusterId, expiry, CERT_BACKDATE);
  }

  /**
   * Checks that {@code leaf} was signed by this root and is valid at {@code at}.
   *
   * @throws CertificateException with the reason otherwise
   */
  public void verify(X509Certificate leaf, Instant at) throws CertificateException {
    if (!leaf.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      throw new CertificateException("certificate was not issued by the swarm root CA");
    }
    try {
      verifySignature(leaf, certificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("certificate signature does not chain to the swarm root CA", e);
    }
    Date when = Date.from(at);
    try {
      leaf.checkValidity(when);
    } catch (java.security.cert.CertificateExpiredException e) {
      throw new CertificateException("certificate has expired (not after " + leaf.getNotAfter().toInstant() + ")");
    } catch (java.security.cert.CertificateNotYetValidException e) {
      throw new CertificateException("certificate is not yet valid (not before "
          + leaf.getNotBefore().toInstant() + ")");
    }
  }

  /**
   * Checks that {@code chain[0]} was signed by this root, directly or through one of the other
   * certificates of the chain (the cross-signed intermediate of a root rotation: the new root signed
   * by this one), and that it is valid at {@code at}.
   */
  public void verifyChain(X509Certificate[] chain, Instant at) throws CertificateException {
    X509Certificate leaf = chain[0];
    CertificateException direct;
    try {
      verify(leaf, at);
      return;
    } catch (CertificateException e) {
      direct = e;
    }
    for (int i = 1; i < chain.length; i++) {
      X509Certificate intermediate = chain[i];
      try {
        if (intermediate.getBasicConstraints() < 0
            || !leaf.getIssuerX500Principal().equals(intermediate.getSubjectX500Principal())) {
          continue;
        }
        verify(intermediate, at);
        verifySignature(leaf, intermediate.getPublicKey());
        leaf.checkValidity(Date.from(at));
        return;
      } catch (GeneralSecurityException e) {
        // try the next one
      }
    }
    throw direct;
  }

  /** Parses the PEM certificate bundle and verifies its first certificate (with the rest as intermediates) now. */
  public X509Certificate verifyPem(byte[] certPem) throws CertificateException {
    List<X509Certificate> chain = Pem.decodeCertificates(certPem);
    verifyChain(chain.toArray(X509Certificate[]::new), Instant.now());
    return chain.get(0);
  }

  /**
   * Checks {@code cert}'s signature; an ECDSA one by a P-256 key (every key swarmd makes) with Bouncy
   * Castle's arithmetic ({@link P256}): every node checks its new certificate and every manager each
   * connection's chain, and the JDK's EC verification costs six times as much under swarmd's C1-only
   * compiler.
   */
  static void verifySignature(X509Certificate cert, PublicKey key) throws GeneralSecurityException {
    if (P256.canVerify(cert, key)) {
      P256.verify(cert, (ECPublicKey) key);
    } else {
      cert.verify(key);
    }
  }

  /** Whether {@code leaf} carries this root's signature itself (not through an intermediate). */
  public boolean signedDirectly(X509Certificate leaf) {
    try {
      verifySignature(leaf, certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * {@code next}'s certificate signed by this root (same subject, key and validity): the intermediate
   * through which certificates of {@code next} chain to this root while nodes still trust only it
   * (upstream's cross-signed CA certificate of a root rotation). Returns PEM.
   */
  public byte[] crossSign(RootCA next) {
    if (signingKey == null) {
      throw new IllegalStateException("this root CA has no signing key");
    }
    X509Certificate n = next.certificate();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serialNumber(),
          n.getNotBefore(), n.getNotAfter(), n.getSubjectX500Principal(), n.getPublicKey())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(n.getPublicKey()))
          .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
      return Pem.encodeCertificate(new JcaX509CertificateConverter().getCertificate(builder.build(signer(signingKey))));
    } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("failed to cross-sign the new root CA", e);
    }
  }

  private static PublicKey validateCsr(byte[] csrPem) throws InvalidCsrException {
    if (csrPem == null || csrPem.length == 0) {
      throw new InvalidCsrException("empty certificate request");
    }
    PKCS10CertificationRequest csr;
    try {
      csr = Pem.decodeCsr(csrPem);
    } catch (CertificateException e) {
      throw new InvalidCsrException("invalid certificate request: " + e.getMessage());
    }
    PublicKey key;
    try {
      key = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
      boolean valid = P256.canVerify(csr) ? P256.csrSignatureValid(csr)
          : csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
      if (!valid) {
        throw new InvalidCsrException("certificate request signature does not match its public key");
      }
    } catch (InvalidCsrException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidCsrException("invalid certificate request: " + e.getMessage());
    }
    if (key instanceof ECPublicKey ec) {
      if (ec.getParams().getCurve().getField().getFieldSize() < 256) {
        throw new InvalidCsrException("certificate request key is too weak: ECDSA keys need at least 256 bits");
      }
    } else if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new InvalidCsrException("certificate request key is too weak: RSA keys need at least 2048 bits");
      }
    } else {
      throw new InvalidCsrException("unsupported certificate request key algorithm " + key.getAlgorithm());
    }
    return key;
  }

  static ContentSigner signer(PrivateKey key) {
    Optional<ContentSigner> p256 = P256.signer(key);
    if (p256.isPresent()) {
      return p256.get();
    }
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serialNumber() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    bytes[0] &= 0x7f;
    return new BigInteger(1, bytes);
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
