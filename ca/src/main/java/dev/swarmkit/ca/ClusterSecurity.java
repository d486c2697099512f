package dev.swarmkit.ca;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Certificate;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.JoinTokens;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.time.Duration;

/**
 * Cluster-level security material: the root CA and join tokens kept in {@code Cluster.root_ca}, and
 * certificates the first manager issues to itself before any CA server runs.
 */
public final class ClusterSecurity {

  private ClusterSecurity() {}

  /** A new root CA and fresh worker/manager tokens, as the first manager stores them. */
  public static dev.swarmkit.api.RootCA newApiRootCA() {
    RootCA root = RootCA.create();
    return toApi(root, newJoinTokens(root));
  }

  /** The API form of {@code root} (must be able to sign) with {@code tokens}. */
  public static dev.swarmkit.api.RootCA toApi(RootCA root, JoinTokens tokens) {
    return dev.swarmkit.api.RootCA.newBuilder()
        .setCaKey(ByteString.copyFrom(root.keyPem().orElseThrow(
            () -> new IllegalArgumentException("root CA has no signing key"))))
        .setCaCert(ByteString.copyFrom(root.certPem()))
        .setCaCertHash(root.digest())
        .setJoinTokens(tokens)
        .build();
  }

  /** The signing root CA stored in a cluster object. */
  public static RootCA fromApi(dev.swarmkit.api.RootCA apiRoot) throws CertificateException {
    return RootCA.fromPem(apiRoot.getCaCert().toByteArray(), apiRoot.getCaKey().toByteArray());
  }

  public static JoinTokens newJoinTokens(RootCA root) {
    return JoinTokens.newBuilder()
        .setWorker(JoinToken.generate(root))
        .setManager(JoinToken.generate(root))
        .build();
  }

  /**
   * The cluster with the selected join tokens replaced by fresh ones (UpdateCluster's
   * rotation.worker_join_token / manager_join_token); the old tokens stop working at once.
   */
  public static Cluster rotateJoinTokens(Cluster cluster, boolean worker, boolean manager) {
    if (!worker && !manager) {
      return cluster;
    }
    String digestHex = RootCA.sha256Hex(cluster.getRootCa().getCaCert().toByteArray());
    JoinTokens.Builder tokens = cluster.getRootCa().getJoinTokens().toBuilder();
    if (worker) {
      tokens.setWorker(JoinToken.generate(digestHex));
    }
    if (manager) {
      tokens.setManager(JoinToken.generate(digestHex));
    }
    return cluster.toBuilder().setRootCa(cluster.getRootCa().toBuilder().setJoinTokens(tokens)).build();
  }

  /** The node certificate validity configured in the cluster (default 2160h). */
  public static Duration nodeCertExpiry(Cluster cluster) {
    if (!cluster.getSpec().getCaConfig().hasNodeCertExpiry()) {
      return RootCA.DEFAULT_NODE_CERT_EXPIRY;
    }
    var d = cluster.getSpec().getCaConfig().getNodeCertExpiry();
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /**
   * Issues a key and certificate for {@code nodeId} directly from {@code root} (upstream's
   * IssueAndSaveNewCertificates), used by the first manager which has no CA server to ask.
   */
  public static SecurityConfig issueLocally(RootCA root, String nodeId, NodeRole role, String clusterId,
      Duration expiry) {
    KeyPair keyPair = NodeKeys.generateKeyPair();
    try {
      byte[] cert = root.signCsr(NodeKeys.createCsr(keyPair), nodeId, Roles.ou(role), clusterId, expiry);
      RootCA verifyOnly = RootCA.fromCertificate(root.certPem());
      return SecurityConfig.of(verifyOnly, Pem.encodePkcs8(keyPair.getPrivate()), cert);
    } catch (InvalidCsrException | CertificateException e) {
      throw new IllegalStateException("failed to issue a local certificate", e);
    }
  }

  /**
   * The node object for a node holding {@code security} (e.g. the first manager): role from the
   * certificate, membership accepted, certificate ISSUED.
   */
  public static Node nodeFor(SecurityConfig security) {
    NodeIdentity id = security.identity();
    NodeRole role = id.apiRole();
    return Node.newBuilder()
        .setId(id.nodeId())
        .setRole(role)
        .setSpec(NodeSpec.newBuilder().setDesiredRole(role).setMembership(NodeSpec.Membership.ACCEPTED))
        .setCertificate(Certificate.newBuilder()
            .setRole(role)
            .setCn(id.nodeId())
            .setCertificate(ByteString.copyFrom(security.certificatePem()))
            .setStatus(IssuanceStatus.newBuilder().setState(IssuanceStatus.State.ISSUED)))
        .build();
  }
}
