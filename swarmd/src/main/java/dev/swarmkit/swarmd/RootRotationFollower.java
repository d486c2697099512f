package dev.swarmkit.swarmd;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.Node;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.RenewalSupervisor;
import dev.swarmkit.ca.RootCA;
import dev.swarmkit.ca.SecurityConfig;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's part in a root CA rotation, fed by its session: a certificate status of ROTATE makes it
 * renew now (the manager then signs under the new root); a new cluster root CA becomes the root it
 * trusts and saves (as upstream's agent updating its root from the session message).
 */
final class RootRotationFollower {

  private static final Logger log = LoggerFactory.getLogger(RootRotationFollower.class);

  private final SecurityConfig security;
  private final NodeCertificateFiles files;
  private final Supplier<RenewalSupervisor> renewal;

  RootRotationFollower(SecurityConfig security, NodeCertificateFiles files, Supplier<RenewalSupervisor> renewal) {
    this.security = security;
    this.files = files;
    this.renewal = renewal;
  }

  void nodeChanged(Node node, ByteString rootCa) {
    if (!rootCa.isEmpty() && !Arrays.equals(rootCa.toByteArray(), security.rootCA().certPem())) {
      try {
        RootCA next = RootCA.fromCertificate(rootCa.toByteArray());
        security.updateRootCA(next);
        files.saveRoot(next);
        log.info("trusting the swarm's new root CA {}", next.digest());
      } catch (CertificateException | IOException e) {
        log.error("could not take the swarm's new root CA", e);
      }
    }
    if (node.getCertificate().getStatus().getState() == IssuanceStatus.State.ROTATE) {
      RenewalSupervisor r = renewal.get();
      if (r != null) {
        log.info("the swarm rotates its root CA: renewing this node's certificate");
        r.renewNow();
      }
    }
  }
}
