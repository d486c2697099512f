package dev.swarmkit.ca;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.Certificate;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ExternalCA;
import dev.swarmkit.api.RootRotation;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.GetRootCACertificateRequest;
import dev.swarmkit.api.GetRootCACertificateResponse;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.GetUnlockKeyResponse;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.IssueNodeCertificateRequest;
import dev.swarmkit.api.IssueNodeCertificateResponse;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeCertificateStatusRequest;
import dev.swarmkit.api.NodeCertificateStatusResponse;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's CA and NodeCA gRPC services, backed by the store's cluster object (root CA, join
 * tokens, CA config) and node objects. New nodes join with a join token that decides their role
 * (auto-accept); nodes presenting a valid certificate of this cluster renew with their current role.
 * Certificates are signed synchronously, so the node object is created (or updated) already ISSUED
 * and nothing is written for a refused request. Requires {@link AuthorizationInterceptor} in front
 * of it for renewals and for the manager-only GetUnlockKey.
 */
public final class CAServer {

  private static final Logger log = LoggerFactory.getLogger(CAServer.class);
  private static final int MAX_ID_COLLISIONS = 3;

  /**
   * Tunables. {@code backdate}: how far certificates are backdated (1h); {@code minCertExpiry}: floor
   * applied to the cluster's node_cert_expiry (1h; tests may lower it to get seconds-long certs).
   */
  public record Options(Duration backdate, Duration minCertExpiry) {
    public static Options defaults() {
      return new Options(RootCA.CERT_BACKDATE, RootCA.MIN_NODE_CERT_EXPIRY);
    }
  }

  private final Store store;
  private final String clusterId;
  private final Options options;
  private final AtomicReference<RootCA> signer = new AtomicReference<>();
  private final AtomicReference<RootCA> rotationSigner = new AtomicReference<>();
  private final ExternalCASigner externalCas;

  public CAServer(Store store, String clusterId, Options options) {
    this(store, clusterId, options, null);
  }

  /**
   * @param externalCas signs through the cluster's external CAs when it has any for its current root
   *     (null: this manager signs everything with the root key)
   */
  public CAServer(Store store, String clusterId, Options options, ExternalCASigner externalCas) {
    this.store = store;
    this.clusterId = clusterId;
    this.options = options;
    this.externalCas = externalCas;
  }

  public CAServer(Store store, String clusterId) {
    this(store, clusterId, Options.defaults());
  }

  /** Both services, to add to a gRPC server (behind an {@link AuthorizationInterceptor}). */
  public List<BindableService> services() {
    return List.of(new CAService(), new NodeCAService());
  }

  private final class CAService extends CAGrpc.CAImplBase {
    @Override
    public void getRootCACertificate(GetRootCACertificateRequest request,
        StreamObserver<GetRootCACertificateResponse> response) {
      respond(response, () -> GetRootCACertificateResponse.newBuilder()
          .setCertificate(cluster().getRootCa().getCaCert()).build());
    }

    @Override
    public void getUnlockKey(GetUnlockKeyRequest request, StreamObserver<GetUnlockKeyResponse> response) {
      respond(response, () -> {
        Cluster cluster = cluster();
        GetUnlockKeyResponse.Builder out = GetUnlockKeyResponse.newBuilder()
            .setVersion(Version.newBuilder().setIndex(cluster.getMeta().getVersion().getIndex()));
        if (cluster.getSpec().getEncryptionConfig().getAutoLockManagers()) {
          cluster.getUnlockKeysList().stream()
              .filter(k -> Roles.MANAGER.equals(k.getSubsystem()))
              .findFirst()
              .map(EncryptionKey::getKey)
              .ifPresent(out::setUnlockKey);
        }
        return out.build();
      });
    }
  }

  private final class NodeCAService extends NodeCAGrpc.NodeCAImplBase {
    @Override
    public void issueNodeCertificate(IssueNodeCertificateRequest request,
        StreamObserver<IssueNodeCertificateResponse> response) {
      respond(response, () -> issue(request));
    }

    @Override
    public void nodeCertificateStatus(NodeCertificateStatusRequest request,
        StreamObserver<NodeCertificateStatusResponse> response) {
      respond(response, () -> status(request));
    }
  }

  IssueNodeCertificateResponse issue(IssueNodeCertificateRequest request) {
    if (request.getCsr().isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("a certificate signing request (csr) is required")
          .asRuntimeException();
    }
    Cluster cluster = cluster();
    Optional<NodeIdentity> caller = CallerIdentity.current();
    if (caller.isPresent()) {
      return renew(caller.get().nodeId(), request.getCsr(), cluster);
    }
    NodeRole role;
    var tokens = cluster.getRootCa().getJoinTokens();
    if (JoinToken.constantTimeEquals(tokens.getManager(), request.getToken())) {
      role = NodeRole.MANAGER;
    } else if (JoinToken.constantTimeEquals(tokens.getWorker(), request.getToken())) {
      role = NodeRole.WORKER;
    } else {
      throw Status.INVALID_ARGUMENT.withDescription("A valid join token is necessary to join this cluster")
          .asRuntimeException();
    }
    for (int attempt = 0; ; attempt++) {
      String nodeId = Identity.newId();
      Certificate certificate = sign(request.getCsr(), nodeId, role, cluster);
      Node node = Node.newBuilder()
          .setId(nodeId)
          .setRole(role)
          .setCertificate(certificate)
          .setSpec(NodeSpec.newBuilder()
              .setDesiredRole(role)
              .setMembership(NodeSpec.Membership.ACCEPTED)
              .setAvailability(request.getAvailability()))
          .setVXLANUDPPort(cluster.getVXLANUDPPort())
          .build();
      try {
        store.update(tx -> tx.create(Table.NODES, node));
        log.debug("issued certificate for new {} node {}", Roles.ou(role), nodeId);
        return IssueNodeCertificateResponse.newBuilder()
            .setNodeId(nodeId)
            .setNodeMembership(NodeSpec.Membership.ACCEPTED)
            .build();
      } catch (StoreException.AlreadyExists e) {
        if (attempt == MAX_ID_COLLISIONS) {
          throw e;
        }
        log.warn("randomly generated node ID {} collided with an existing one, retrying", nodeId);
      }
    }
  }

  private IssueNodeCertificateResponse renew(String nodeId, ByteString csr, Cluster cluster) {
    while (true) {
      Node node = store.view(tx -> tx.get(Table.NODES, nodeId)).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("node " + nodeId + " not found when attempting to renew certificate")
          .asRuntimeException());
      Certificate certificate = sign(csr, nodeId, node.getRole(), cluster);
      try {
        store.update(tx -> tx.update(Table.NODES, node.toBuilder().setCertificate(certificate).build()));
        log.debug("renewed certificate of {} node {}", Roles.ou(node.getRole()), nodeId);
        return IssueNodeCertificateResponse.newBuilder()
            .setNodeId(nodeId)
            .setNodeMembership(node.getSpec().getMembership())
            .build();
      } catch (StoreException.SequenceConflict e) {
        // The node changed meanwhile (maybe its role): sign again against the fresh object.
      }
    }
  }

  private Certificate sign(ByteString csr, String nodeId, NodeRole role, Cluster cluster) {
    Duration expiry = ClusterSecurity.nodeCertExpiry(cluster);
    if (expiry.compareTo(options.minCertExpiry()) < 0) {
      expiry = options.minCertExpiry();
    }
    try {
      RootCA root = signer(cluster);
      List<ExternalCA> external = externalCas(cluster);
      byte[] cert;
      if (!external.isEmpty() && externalCas != null) {
        // Upstream tries the external CAs first; what they sign must still chain to the swarm root.
        cert = externalCas.sign(external, csr.toByteArray(), nodeId, Roles.ou(role), clusterId);
        try {
          (cluster.getRootCa().hasRootRotation() ? rotationSigner(cluster.getRootCa().getRootRotation()) : root)
              .verifyPem(cert);
        } catch (CertificateException e) {
          throw Status.INTERNAL.withDescription("external CA: the signed certificate does not chain to the "
              + "swarm root CA: " + e.getMessage()).asRuntimeException();
        }
        if (cluster.getRootCa().hasRootRotation()) {
          // As upstream's external CA intermediates: nodes still trusting the old root need the cross-sign.
          cert = concat(cert, cluster.getRootCa().getRootRotation().getCrossSignedCaCert().toByteArray());
        }
      } else if (cluster.getRootCa().hasRootRotation()) {
        // Upstream's rotation: sign with the new root, and add the new root cross-signed by the old
        // one, so nodes that still trust only the old root accept the certificate.
        RootRotation rotation = cluster.getRootCa().getRootRotation();
        byte[] leaf = rotationSigner(rotation).signCsr(csr.toByteArray(), nodeId, Roles.ou(role), clusterId,
            expiry, options.backdate());
        cert = concat(leaf, rotation.getCrossSignedCaCert().toByteArray());
      } else {
        cert = root.signCsr(csr.toByteArray(), nodeId, Roles.ou(role), clusterId, expiry, options.backdate());
      }
      return Certificate.newBuilder()
          .setRole(role)
          .setCsr(csr)
          .setCn(nodeId)
          .setCertificate(ByteString.copyFrom(cert))
          .setStatus(IssuanceStatus.newBuilder().setState(IssuanceStatus.State.ISSUED))
          .build();
    } catch (InvalidCsrException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    } catch (ExternalCASigner.SigningException e) {
      log.warn("{}", e.getMessage());
      throw Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private RootCA rotationSigner(RootRotation rotation) {
    RootCA current = rotationSigner.get();
    if (current != null && java.util.Arrays.equals(current.certPem(), rotation.getCaCert().toByteArray())) {
      return current;
    }
    try {
      RootCA fresh = RootCA.fromPem(rotation.getCaCert().toByteArray(), rotation.getCaKey().toByteArray());
      rotationSigner.set(fresh);
      return fresh;
    } catch (CertificateException e) {
      throw Status.INTERNAL.withDescription("the new root CA of the rotation is unusable: " + e.getMessage())
          .asRuntimeException();
    }
  }

  private static byte[] concat(byte[] leafPem, byte[] intermediatePem) {
    byte[] out = new byte[leafPem.length + intermediatePem.length];
    System.arraycopy(leafPem, 0, out, 0, leafPem.length);
    System.arraycopy(intermediatePem, 0, out, leafPem.length, intermediatePem.length);
    return out;
  }

  /**
   * The cluster's CFSSL external CAs for the root that signs now: the current root (an external CA
   * without a CA certificate means that one), or during a rotation the new root, as upstream.
   */
  private static List<ExternalCA> externalCas(Cluster cluster) {
    boolean rotating = cluster.getRootCa().hasRootRotation();
    ByteString root = rotating ? cluster.getRootCa().getRootRotation().getCaCert() : cluster.getRootCa().getCaCert();
    return cluster.getSpec().getCaConfig().getExternalCasList().stream()
        .filter(ca -> ca.getProtocol() == ExternalCA.CAProtocol.CFSSL)
        .filter(ca -> ca.getCaCert().equals(root) || (!rotating && ca.getCaCert().isEmpty()))
        .toList();
  }

  private RootCA signer(Cluster cluster) {
    String hash = cluster.getRootCa().getCaCertHash();
    RootCA current = signer.get();
    if (current != null && current.digest().equals(hash)) {
      return current;
    }
    try {
      RootCA fresh = ClusterSecurity.fromApi(cluster.getRootCa());
      signer.set(fresh);
      return fresh;
    } catch (CertificateException e) {
      throw Status.INTERNAL.withDescription("the cluster's root CA is unusable: " + e.getMessage())
          .asRuntimeException();
    }
  }

  NodeCertificateStatusResponse status(NodeCertificateStatusRequest request) {
    String nodeId = request.getNodeId();
    if (nodeId.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("node_id is required").asRuntimeException();
    }
    Store.ViewAndWatch<Optional<Node>> start = store.viewAndWatch(tx -> tx.get(Table.NODES, nodeId),
        e -> e.table() == Table.NODES && e.kind() != StoreEvent.Kind.COMMIT
            && nodeId.equals(Table.NODES.idOf(Table.NODES.cast(e.object()))));
    try (Subscription updates = start.subscription()) {
      Node node = start.result().orElseThrow(() -> Status.NOT_FOUND
          .withDescription("node " + nodeId + " not found").asRuntimeException());
      Context context = Context.current();
      while (!isFinal(node.getCertificate().getStatus())) {
        if (context.isCancelled()) {
          throw Status.fromThrowable(context.cancellationCause()).asRuntimeException();
        }
        Optional<StoreEvent> event = updates.poll(Duration.ofMillis(200));
        if (event.isPresent()) {
          if (event.get().kind() == StoreEvent.Kind.DELETE) {
            throw Status.NOT_FOUND.withDescription("node " + nodeId + " was removed").asRuntimeException();
          }
          node = Table.NODES.cast(event.get().newObject());
        }
      }
      return NodeCertificateStatusResponse.newBuilder()
          .setStatus(node.getCertificate().getStatus())
          .setCertificate(node.getCertificate())
          .build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

  private static boolean isFinal(IssuanceStatus status) {
    return switch (status.getState()) {
      case ISSUED, FAILED, ROTATE -> true;
      default -> false;
    };
  }

  private Cluster cluster() {
    return store.view(tx -> tx.get(Table.CLUSTERS, clusterId)).orElseThrow(() -> Status.UNAVAILABLE
        .withDescription("cluster " + clusterId + " is not initialized yet").asRuntimeException());
  }

  private interface Call<T> {
    T run();
  }

  private static <T> void respond(StreamObserver<T> observer, Call<T> call) {
    T result;
    try {
      result = call.run();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    } catch (StoreException.NotLeader e) {
      observer.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (StoreException e) {
      observer.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      log.error("CA request failed", e);
      observer.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }
}
