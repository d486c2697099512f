package dev.swarmkit.ca;

import io.netty.handler.ssl.SslContext;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node's TLS identity: the swarm root, its private key and certificate, and the TLS contexts built
 * from them. {@link #update} swaps in a renewed certificate; contexts built earlier pick it up on
 * their next handshake.
 */
public final class SecurityConfig {

  private final ReloadableKeyManager keyManager;
  private final ReloadableTrustManager trustManager;
  private final List<Consumer<NodeIdentity>> listeners = new CopyOnWriteArrayList<>();
  private volatile State state;
  private volatile SslContext serverContext;
  private volatile SslContext clientContext;

  private record State(RootCA root, PrivateKey key, byte[] keyPem, byte[] certPem, X509Certificate cert,
      NodeIdentity identity) {}

  private SecurityConfig(State state) {
    this.state = state;
    this.keyManager = new ReloadableKeyManager(state.key, state.cert);
    this.trustManager = new ReloadableTrustManager(state.root.certificate());
  }

  /**
   * Builds a config from PEM material. The certificate must have been signed by {@code root}; it may
   * be expired (a node with an expired certificate still needs its identity to rejoin).
   */
  public static SecurityConfig of(RootCA root, byte[] keyPem, byte[] certPem) throws CertificateException {
    return new SecurityConfig(state(root, keyPem, certPem));
  }

  private static State state(RootCA root, byte[] keyPem, byte[] certPem) throws CertificateException {
    X509Certificate cert = Pem.decodeCertificates(certPem).get(0);
    root.verify(cert, cert.getNotBefore().toInstant());
    PrivateKey key = Pem.decodePrivateKey(keyPem);
    RootCA.ensureKeyMatches(cert.getPublicKey(), key);
    return new State(root, key, keyPem.clone(), certPem.clone(), cert, NodeIdentity.fromCertificate(cert));
  }

  /** Replaces key and certificate (after renewal); notifies listeners with the new identity. */
  public synchronized void update(byte[] keyPem, byte[] certPem) throws CertificateException {
    State next = state(state.root, keyPem, certPem);
    state = next;
    keyManager.update(next.key, next.cert);
    forgetSessions();
    for (Consumer<NodeIdentity> listener : listeners) {
      listener.accept(next.identity);
    }
  }

  /** Trusts {@code newRoot} from now on (root rotation); the node certificate must be re-issued under it. */
  public synchronized void updateRootCA(RootCA newRoot) {
    state = new State(newRoot, state.key, state.keyPem, state.certPem, state.cert, state.identity);
    trustManager.update(newRoot.certificate());
    forgetSessions();
  }

  /** Drops cached TLS sessions so no new connection resumes one made with the previous identity. */
  private void forgetSessions() {
    for (SslContext context : new SslContext[] {serverContext, clientContext}) {
      if (context == null || context.sessionContext() == null) {
        continue;
      }
      SSLSessionContext sessions = context.sessionContext();
      for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
        SSLSession session = sessions.getSession(ids.nextElement());
        if (session != null) {
          session.invalidate();
        }
      }
    }
  }

  /** Called with the new identity after each {@link #update}. */
  public void addListener(Consumer<NodeIdentity> listener) {
    listeners.add(listener);
  }

  public RootCA rootCA() {
    return state.root;
  }

  public NodeIdentity identity() {
    return state.identity;
  }

  public X509Certificate certificate() {
    return state.cert;
  }

  public byte[] certificatePem() {
    return state.certPem.clone();
  }

  public byte[] keyPem() {
    return state.keyPem.clone();
  }

  public Instant notBefore() {
    return state.cert.getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return state.cert.getNotAfter().toInstant();
  }

  public ReloadableKeyManager keyManager() {
    return keyManager;
  }

  public ReloadableTrustManager trustManager() {
    return trustManager;
  }

  /** TLS context for gRPC servers of this node (hot-reloading). */
  public SslContext serverSslContext() {
    SslContext c = serverContext;
    if (c == null) {
      synchronized (this) {
        if (serverContext == null) {
          serverContext = TlsContexts.server(keyManager, trustManager);
        }
        c = serverContext;
      }
    }
    return c;
  }

  /** TLS context for gRPC clients of this node; channels must use authority {@link Roles#MANAGER}. */
  public SslContext clientSslContext() {
    SslContext c = clientContext;
    if (c == null) {
      synchronized (this) {
        if (clientContext == null) {
          clientContext = TlsContexts.client(keyManager, trustManager);
        }
        c = clientContext;
      }
    }
    return c;
  }
}
