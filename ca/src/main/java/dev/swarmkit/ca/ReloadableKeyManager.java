package dev.swarmkit.ca;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose key and certificate chain can be swapped at runtime. Each new TLS handshake
 * uses the current pair, so a renewed certificate takes effect without restarting servers or
 * dropping established connections. Empty (no certificate) until {@link #update} is called.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "swarm-node";

  private record Material(PrivateKey key, X509Certificate[] chain) {}

  private volatile Material material;

  public ReloadableKeyManager() {}

  public ReloadableKeyManager(PrivateKey key, X509Certificate... chain) {
    update(key, chain);
  }

  /** Makes {@code key} and {@code chain} the identity presented by subsequent handshakes. */
  public void update(PrivateKey key, X509Certificate... chain) {
    material = new Material(key, chain.clone());
  }

  /** The certificate currently presented, or null. */
  public X509Certificate currentCertificate() {
    Material m = material;
    return m == null ? null : m.chain[0];
  }

  private String alias() {
    return material == null ? null : ALIAS;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return material == null ? null : new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return material == null ? null : new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Material m = material;
    return m == null || !ALIAS.equals(alias) ? null : m.chain.clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Material m = material;
    return m == null || !ALIAS.equals(alias) ? null : m.key;
  }
}
