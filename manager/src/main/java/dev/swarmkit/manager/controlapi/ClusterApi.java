package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.AcceptancePolicy;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.ExternalCA;
import dev.swarmkit.api.GetClusterRequest;
import dev.swarmkit.api.GetClusterResponse;
import dev.swarmkit.api.KeyRotation;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListClustersResponse;
import dev.swarmkit.api.RootCA;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.UpdateClusterResponse;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Cluster RPCs of the control API (upstream controlapi/cluster.go). */
final class ClusterApi {

  /** Upstream's shortest allowed node certificate lifetime. */
  static final Duration MIN_NODE_CERT_EXPIRY = Duration.ofHours(1);
  /** Subsystem name of the managers' unlock key. */
  static final String MANAGER_SUBSYSTEM = "swarm-manager";

  private static final List<String> DEFAULT_ADDRESS_POOL = List.of("10.0.0.0/8");
  private static final int DEFAULT_SUBNET_SIZE = 24;
  private static final int DEFAULT_VXLAN_PORT = 4789;

  private final Store store;
  private final ClusterTokenRotator tokens;
  private final RootCaReconciler rootCa;

  ClusterApi(Store store, ClusterTokenRotator tokens, RootCaReconciler rootCa) {
    this.store = store;
    this.tokens = tokens;
    this.rootCa = rootCa;
  }

  GetClusterResponse get(GetClusterRequest request) {
    String id = request.getClusterId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    return GetClusterResponse.newBuilder().setCluster(redact(read(id))).build();
  }

  ListClustersResponse list(ListClustersRequest request) {
    ListClustersRequest.Filters f = request.getFilters();
    By by;
    if (f.getNamesCount() > 0) {
      by = Filters.anyOf(f.getNamesList(), By::name);
    } else if (f.getNamePrefixesCount() > 0) {
      by = Filters.anyOf(f.getNamePrefixesList(), By::namePrefix);
    } else if (f.getIdPrefixesCount() > 0) {
      by = Filters.anyOf(f.getIdPrefixesList(), By::idPrefix);
    } else {
      by = By.all();
    }
    List<Cluster> clusters = store.view(tx -> tx.find(Table.CLUSTERS, by)).stream()
        .filter(c -> Filters.contains(c.getSpec().getAnnotations().getName(), f.getNamesList()))
        .filter(c -> Filters.containsPrefix(c.getSpec().getAnnotations().getName(), f.getNamePrefixesList()))
        .filter(c -> Filters.containsPrefix(c.getId(), f.getIdPrefixesList()))
        .filter(c -> Filters.matchLabels(c.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .map(ClusterApi::redact)
        .toList();
    return ListClustersResponse.newBuilder().addAllClusters(clusters).build();
  }

  /**
   * Replaces the cluster spec, rotating join tokens and the manager unlock key on request. Turning
   * autolock on creates a manager unlock key; turning it off drops it.
   */
  UpdateClusterResponse update(UpdateClusterRequest request) {
    String id = request.getClusterId();
    if (id.isEmpty() || !request.hasClusterVersion() || !request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    validateSpec(request.getSpec());
    KeyRotation rotation = request.getRotation();
    store.update(tx -> {
      Cluster current = tx.get(Table.CLUSTERS, id)
          .orElseThrow(() -> ApiErrors.notFound("cluster %s not found", id));
      UnbuiltClusterSettings.refuse(current, request.getSpec());
      Cluster.Builder cluster = current.toBuilder()
          .setMeta(current.getMeta().toBuilder().setVersion(request.getClusterVersion()))
          .setSpec(request.getSpec());
      Blacklist.expire(cluster);
      RootCA.Builder root = cluster.getRootCaBuilder();
      if (rotation.getWorkerJoinToken()) {
        root.getJoinTokensBuilder().setWorker(tokens.newJoinToken(current));
      }
      if (rotation.getManagerJoinToken()) {
        root.getJoinTokensBuilder().setManager(tokens.newJoinToken(current));
      }
      cluster.setRootCa(rootCa.reconcile(cluster.build()));
      // The signing CA's key now lives in the root CA (or its rotation); keep no second copy in the spec.
      cluster.getSpecBuilder().getCaConfigBuilder().clearSigningCaCert().clearSigningCaKey();
      cluster.clearUnlockKeys().addAllUnlockKeys(unlockKeys(current, request.getSpec(), rotation));
      tx.update(Table.CLUSTERS, cluster.build());
    });
    return UpdateClusterResponse.newBuilder().setCluster(redact(read(id))).build();
  }

  private List<EncryptionKey> unlockKeys(Cluster current, ClusterSpec spec, KeyRotation rotation) {
    boolean autolock = spec.getEncryptionConfig().getAutoLockManagers();
    List<EncryptionKey> keys = new ArrayList<>();
    boolean hasManagerKey = false;
    for (EncryptionKey key : current.getUnlockKeysList()) {
      if (key.getSubsystem().equals(MANAGER_SUBSYSTEM)) {
        if (!autolock) {
          continue;
        }
        hasManagerKey = true;
        if (rotation.getManagerUnlockKey()) {
          key = key.toBuilder().setKey(ByteString.copyFrom(tokens.newUnlockKey())).build();
        }
      }
      keys.add(key);
    }
    if (autolock && !hasManagerKey) {
      keys.add(EncryptionKey.newBuilder()
          .setSubsystem(MANAGER_SUBSYSTEM)
          .setKey(ByteString.copyFrom(tokens.newUnlockKey()))
          .build());
    }
    return keys;
  }

  private static void validateSpec(ClusterSpec spec) {
    Protos.requireValidDurations(spec);
    if (spec.getCaConfig().hasNodeCertExpiry()) {
      Duration expiry = Protos.duration(spec.getCaConfig().getNodeCertExpiry());
      if (expiry.compareTo(MIN_NODE_CERT_EXPIRY) < 0) {
        throw ApiErrors.invalidArgument("minimum certificate expiry time is: %s",
            dev.swarmkit.api.util.GoDurations.format(MIN_NODE_CERT_EXPIRY));
      }
    }
    for (AcceptancePolicy.RoleAdmissionPolicy policy : spec.getAcceptancePolicy().getPoliciesList()) {
      // Only bcrypt-hashed acceptance secrets are supported.
      if (policy.hasSecret() && !policy.getSecret().getAlg().toLowerCase(Locale.ROOT).equals("bcrypt")) {
        throw ApiErrors.invalidArgument("hashing algorithm is not supported: %s", policy.getSecret().getAlg());
      }
    }
    for (ExternalCA ca : spec.getCaConfig().getExternalCasList()) {
      if (ca.getProtocol() != ExternalCA.CAProtocol.CFSSL) {
        throw ApiErrors.invalidArgument("unsupported external CA protocol: %s", ca.getProtocolValue());
      }
      java.net.URI url;
      try {
        url = java.net.URI.create(ca.getUrl());
      } catch (IllegalArgumentException e) {
        throw ApiErrors.invalidArgument("invalid external CA URL %s: %s", ca.getUrl(), e.getMessage());
      }
      // The CSR goes out with the manager's client certificate: only over TLS.
      if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
        throw ApiErrors.invalidArgument("external CA URL must be an https:// URL: %s", ca.getUrl());
      }
    }
    if (spec.getDispatcher().hasHeartbeatPeriod() && Protos.isNegative(spec.getDispatcher().getHeartbeatPeriod())) {
      throw ApiErrors.invalidArgument("heartbeat time period cannot be a negative duration");
    }
    if (!spec.getAnnotations().getName().equals(NodeApi.DEFAULT_CLUSTER_NAME)) {
      throw ApiErrors.invalidArgument("modification of cluster name is not allowed");
    }
  }

  /**
   * The cluster as clients may see it: private keys removed, and only public fields kept. The signing
   * CA certificate goes too, so a client's get-then-update cannot make the cluster forget its key.
   */
  static Cluster redact(Cluster cluster) {
    ClusterSpec.Builder spec = cluster.getSpec().toBuilder();
    spec.getCaConfigBuilder().clearSigningCaKey().clearSigningCaCert();
    RootCA.Builder root = cluster.getRootCa().toBuilder().clearCaKey();
    if (root.hasRootRotation()) {
      root.getRootRotationBuilder().clearCaKey();
    }
    Cluster.Builder redacted = Cluster.newBuilder()
        .setId(cluster.getId())
        .setMeta(cluster.getMeta())
        .setSpec(spec)
        .setRootCa(root)
        .putAllBlacklistedCertificates(cluster.getBlacklistedCertificatesMap())
        .addAllDefaultAddressPool(cluster.getDefaultAddressPoolList())
        .setSubnetSize(cluster.getSubnetSize())
        .setVXLANUDPPort(cluster.getVXLANUDPPort());
    if (cluster.getDefaultAddressPoolCount() == 0) {
      // Shown for reference: the built-in pool the allocator uses when none is configured.
      redacted.addAllDefaultAddressPool(DEFAULT_ADDRESS_POOL).setSubnetSize(DEFAULT_SUBNET_SIZE);
    }
    if (cluster.getVXLANUDPPort() == 0) {
      redacted.setVXLANUDPPort(DEFAULT_VXLAN_PORT);
    }
    return redacted.build();
  }

  private Cluster read(String id) {
    return store.view(tx -> tx.get(Table.CLUSTERS, id))
        .orElseThrow(() -> ApiErrors.notFound("cluster %s not found", id));
  }
}
