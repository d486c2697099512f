package dev.swarmkit.ca;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for connections between managers (the Raft transport): the peer's certificate must chain to
 * this cluster's root and name a manager of this cluster (OU = swarm-manager, O = cluster ID).
 *
 * <p>Peers are dialled by IP address and node certificates carry no IP names (as upstream), so the
 * host name check of HTTPS does not apply; the role and cluster check in the certificate is what
 * authenticates a Raft peer, as upstream's raft transport authorizes by role.
 */
public final class ManagerPeerTrustManager extends X509ExtendedTrustManager {

  private final ReloadableTrustManager roots;
  private final String clusterId;

  public ManagerPeerTrustManager(ReloadableTrustManager roots, String clusterId) {
    this.roots = roots;
    this.clusterId = clusterId;
  }

  private void check(X509Certificate[] chain, String authType, boolean server) throws CertificateException {
    if (server) {
      roots.checkServerTrusted(chain, authType);
    } else {
      roots.checkClientTrusted(chain, authType);
    }
    NodeIdentity peer = NodeIdentity.fromCertificate(chain[0]);
    if (!Roles.MANAGER.equals(peer.role())) {
      throw new CertificateException("raft peer " + peer.nodeId() + " is not a manager (role " + peer.role() + ")");
    }
    if (!clusterId.equals(peer.clusterId())) {
      throw new CertificateException("raft peer " + peer.nodeId() + " belongs to another cluster");
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain, authType, false);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain, authType, true);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return roots.getAcceptedIssuers();
  }
}
