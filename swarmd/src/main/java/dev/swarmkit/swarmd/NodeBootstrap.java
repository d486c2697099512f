package dev.swarmkit.swarmd;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.ClusterSecurity;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.NodeKeyFile;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.ca.RootCA;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.ca.UnlockKeys;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.flags.ExternalCaFlag;
import dev.swarmkit.manager.DefaultCluster;
import dev.swarmkit.store.raft.DataKeys;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's identity when it starts: resumed from the certificates in its state dir, created with a
 * new swarm (then {@code bootstrapCluster} is the cluster object its first leader writes), or
 * obtained by joining with a token.
 */
record NodeBootstrap(SecurityConfig security, Optional<Cluster> bootstrapCluster) {

  private static final Logger log = LoggerFactory.getLogger(NodeBootstrap.class);
  /** Upstream's default node certificate validity, used for the first manager's own certificate. */
  private static final Duration FIRST_CERT_VALIDITY = Duration.ofHours(2160);

  static NodeBootstrap loadOrCreate(SwarmdConfig config, NodeCertificateFiles files) throws Exception {
    if (!config.unlockKey().isEmpty()) {
      files.unlockWith(UnlockKeys.parse(config.unlockKey()));
    }
    if (files.exist()) {
      if (config.autolock()) {
        throw new IllegalArgumentException("--autolock applies when a swarm is created; this node resumes "
            + "its swarm: turn autolock on with 'swarmctl cluster update default --autolock=true'");
      }
      if (!config.externalCas().isEmpty()) {
        throw new IllegalArgumentException("--external-ca applies when a swarm is created; this node resumes "
            + "its swarm: set external CAs with 'swarmctl cluster update default --external-ca ...'");
      }
      SecurityConfig security;
      try {
        security = files.load();
      } catch (NodeKeyFile.LockedException e) {
        // Nothing was written yet: a locked manager started without (or with a wrong) key changes nothing.
        throw new IllegalStateException(e.getMessage(), e);
      }
      log.info("resuming node {} ({}) of cluster {}", security.identity().nodeId(),
          security.identity().role(), security.identity().clusterId());
      return new NodeBootstrap(security, Optional.empty());
    }
    if (!config.joining()) {
      dev.swarmkit.api.RootCA apiRoot = ClusterSecurity.newApiRootCA();
      RootCA root = ClusterSecurity.fromApi(apiRoot);
      String clusterId = Identity.newId();
      SecurityConfig security = ClusterSecurity.issueLocally(root, Identity.newId(), NodeRole.MANAGER, clusterId,
          FIRST_CERT_VALIDITY);
      Cluster cluster = DefaultCluster.create(clusterId, apiRoot);
      if (!config.externalCas().isEmpty()) {
        Cluster.Builder withCas = cluster.toBuilder();
        config.externalCas().forEach(ca -> withCas.getSpecBuilder().getCaConfigBuilder()
            .addExternalCas(ExternalCaFlag.parse(ca)));
        cluster = withCas.build();
      }
      if (config.autolock()) {
        byte[] unlockKey = DataKeys.newKey();
        cluster = autolocked(cluster, unlockKey);
        files.relock(unlockKey, 0);
        // The operator needs this key to start a stopped manager; it is shown once, as upstream's init.
        System.out.println("Swarm initialized with autolock. To unlock a stopped manager, start it with "
            + "--unlock-key " + UnlockKeys.humanReadable(unlockKey));
      }
      files.save(security);
      log.info("initialised new cluster {} as manager {}", clusterId, security.identity().nodeId());
      return new NodeBootstrap(security, Optional.of(cluster));
    }
    InetSocketAddress joinAddr;
    try {
      joinAddr = Addresses.parse(config.joinAddr(), "--join-addr");
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    CertificateRequester requester = new CertificateRequester();
    SecurityConfig security = Joiner.defaults().run(config.joinAddr(),
        () -> requester.join(joinAddr, config.joinToken(), NodeSpec.Availability.ACTIVE, files));
    log.info("joined cluster {} as {} {}", security.identity().clusterId(), security.identity().role(),
        security.identity().nodeId());
    return new NodeBootstrap(security, Optional.empty());
  }

  private static Cluster autolocked(Cluster cluster, byte[] unlockKey) {
    Cluster.Builder b = cluster.toBuilder();
    b.getSpecBuilder().getEncryptionConfigBuilder().setAutoLockManagers(true);
    return b.addUnlockKeys(EncryptionKey.newBuilder().setSubsystem(Roles.MANAGER)
        .setKey(com.google.protobuf.ByteString.copyFrom(unlockKey))).build();
  }
}
