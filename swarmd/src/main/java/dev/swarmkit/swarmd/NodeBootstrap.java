package dev.swarmkit.swarmd;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.ClusterSecurity;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.RootCA;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.manager.DefaultCluster;
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
    if (files.exist()) {
      SecurityConfig security = files.load();
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
      files.save(security);
      log.info("initialised new cluster {} as manager {}", clusterId, security.identity().nodeId());
      return new NodeBootstrap(security, Optional.of(DefaultCluster.create(clusterId, apiRoot)));
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
}
