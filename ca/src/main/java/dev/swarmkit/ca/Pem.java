package dev.swarmkit.ca;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM encoding and decoding of certificates, keys and CSRs. */
public final class Pem {

  private Pem() {}

  /** Encodes any BouncyCastle/JCA object PEM-writable (certificate, CSR, key pair). */
  static byte[] encode(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] encodeCertificate(X509Certificate certificate) {
    return encode(certificate);
  }

  /** PKCS#8 "PRIVATE KEY" block, the format of swarm-node.key. */
  public static byte[] encodePkcs8(PrivateKey key) {
    try {
      return encode(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SEC1 "EC PRIVATE KEY" block, the format upstream stores as the cluster's ca_key. */
  public static byte[] encodeEcKey(KeyPair keyPair) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(keyPair.getPrivate().getEncoded());
      ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
      SubjectPublicKeyInfo publicInfo = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
      int orderBits = ((java.security.interfaces.ECPrivateKey) keyPair.getPrivate()).getParams().getOrder().bitLength();
      // Include the curve and public key, which the JDK's inner encoding leaves out, so the block is
      // readable on its own (as OpenSSL and Go write it).
      ECPrivateKey full = new ECPrivateKey(orderBits, inner.getKey(), publicInfo.getPublicKeyData(),
          info.getPrivateKeyAlgorithm().getParameters());
      return encode(new PemObject("EC PRIVATE KEY", full.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every certificate of a PEM bundle, in order. Fails if there is none or one is malformed. */
  public static List<X509Certificate> decodeCertificates(byte[] pem) throws CertificateException {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = parser(pem)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new CertificateException("unexpected PEM block in certificate bundle");
        }
        certificates.add(converter.getCertificate(holder));
      }
    } catch (IOException | RuntimeException e) {
      throw new CertificateException("failed to parse PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new CertificateException("no certificates found in PEM data");
    }
    return certificates;
  }

  /** The private key of a PEM block in PKCS#8 or SEC1/PKCS#1 form. */
  public static PrivateKey decodePrivateKey(byte[] pem) throws CertificateException {
    try (PEMParser parser = parser(pem)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new CertificateException("no private key found in PEM data");
    } catch (IOException | RuntimeException e) {
      throw new CertificateException("failed to parse PEM private key: " + e.getMessage(), e);
    }
  }

  /** A PEM "CERTIFICATE REQUEST". */
  public static PKCS10CertificationRequest decodeCsr(byte[] pem) throws CertificateException {
    try (PEMParser parser = parser(pem)) {
      Object o = parser.readObject();
      if (o instanceof PKCS10CertificationRequest csr) {
        return csr;
      }
      throw new CertificateException("no certificate request found in PEM data");
    } catch (IOException | RuntimeException e) {
      throw new CertificateException("failed to parse certificate request: " + e.getMessage(), e);
    }
  }

  private static PEMParser parser(byte[] pem) {
    return new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)));
  }
}
