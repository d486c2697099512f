package dev.swarmkit.ca;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts certificates that chain to the swarm root, which can be replaced at runtime (root
 * rotation). Server certificates are checked in the handshake, including the host name the TLS layer
 * asks for ("swarm-manager"). Client certificates are, on purpose, accepted by the handshake: servers
 * request but do not require them, and the authorization interceptor checks them per method so a
 * foreign or expired certificate yields PERMISSION_DENIED with a reason instead of a bare TLS failure.
 */
public final class ReloadableTrustManager extends X509ExtendedTrustManager {

  private volatile X509ExtendedTrustManager delegate;
  private volatile X509Certificate root;

  public ReloadableTrustManager(X509Certificate root) {
    update(root);
  }

  /** Trusts {@code newRoot} (and only it) for subsequent handshakes. */
  public void update(X509Certificate newRoot) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("swarm-root-ca", newRoot);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager extended) {
          this.delegate = extended;
          this.root = newRoot;
          return;
        }
      }
      throw new IllegalStateException("no X509 trust manager available");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build trust manager for the swarm root", e);
    }
  }

  public X509Certificate root() {
    return root;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // Verified per call by AuthorizationInterceptor.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // Verified per call by AuthorizationInterceptor.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // Verified per call by AuthorizationInterceptor.
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {root};
  }
}
