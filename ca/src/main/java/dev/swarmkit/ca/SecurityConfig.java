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

  /** {@code chain}: the certificate, then any intermediate it was issued with (during a root rotation). */
  private record State(RootCA root, PrivateKey key, byte[] keyPem, byte[] certPem, X509Certificate cert,
      X509Certificate[] chain, NodeIdentity identity) {}

  private SecurityConfig(State state) {
    this.state = state;
    this.keyManager = new ReloadableKeyManager(state.key, state.chain);
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
    X509Certificate[] chain = Pem.decodeCertificates(certPem).toArray(X509Certificate[]::new);
    X509Certificate cert = chain[0];
    root.verifyChain(chain, cert.getNotBefore().toInstant());
    PrivateKey key = Pem.decodePrivateKey(keyPem);
    KeyPairCheck.ensureMatches(cert.getPublicKey(), key);
    return new State(root, key, keyPem.clone(), certPem.clone(), cert, chain, NodeIdentity.fromCertificate(cert));
  }

  /** Replaces key and certificate (after renewal); notifies listeners with the new identity. */
  public synchronized void update(byte[] keyPem, byte[] certPem) throws CertificateException {
    State next = state(state.root, keyPem, certPem);
    state = next;
    keyManager.update(next.key, next.chain);
    forgetSessions();
    for (Consumer<NodeIdentity> listener : listeners) {
      listener.accept(next.identity);
    }
  }

  /** A root this node trusted until {@code replaced}. */
  private record FormerRoot(RootCA root, Instant replaced) {}

  private final List<FormerRoot> formerRoots = new CopyOnWriteArrayList<>();

  /**
   * The roots that were trusted at {@code at}: the current one, and those replaced since (a TLS
   * session established under a root stays verified, as in Go).
   */
  public List<RootCA> rootsTrustedAt(Instant at) {
    List<RootCA> roots = new java.util.ArrayList<>();
    roots.add(state.root);
    for (FormerRoot former : formerRoots) {
      if (former.replaced().isAfter(at)) {
        roots.add(former.root());
      }
    }
    return roots;
  }

  /** Trusts {@code newRoot} from now on (root rotation); the node certificate must be re-issued under it. */
  public synchronized void updateRootCA(RootCA newRoot) {
    formerRoots.add(new FormerRoot(state.root, Instant.now()));
    if (formerRoots.size() > 4) {
      formerRoots.remove(0);
    }
    state = new State(newRoot, state.key, state.keyPem, state.certPem, state.cert, state.chain, state.identity);
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
