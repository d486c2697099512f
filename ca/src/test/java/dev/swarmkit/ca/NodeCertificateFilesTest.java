package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.NodeRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCertificateFilesTest {

  @TempDir Path stateDir;

  @Test
  void savedIdentityLoadsBackWithPrivateKeyFileMode0600() throws Exception {
    RootCA root = RootCA.create();
    SecurityConfig config = ClusterSecurity.issueLocally(root, "node1", NodeRole.WORKER, "cluster1",
        Duration.ofHours(2));
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(stateDir);
    assertThat(files.exist()).isFalse();
    files.save(config);

    assertThat(files.exist()).isTrue();
    assertThat(stateDir.resolve("certificates/swarm-root-ca.crt")).exists();
    assertThat(stateDir.resolve("certificates/swarm-node.crt")).exists();
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(stateDir.resolve("certificates/swarm-node.key")))).isEqualTo("rw-------");
    assertThat(Files.readString(files.nodeKeyPath())).contains("BEGIN PRIVATE KEY");

    SecurityConfig loaded = files.load();
    assertThat(loaded.identity()).isEqualTo(new NodeIdentity("node1", Roles.WORKER, "cluster1"));
    assertThat(loaded.certificate()).isEqualTo(config.certificate());
    assertThat(loaded.rootCA().digestHex()).isEqualTo(root.digestHex());
    assertThat(loaded.rootCA().canSign()).isFalse();
  }

  @Test
  void certificateOfAnotherRootDoesNotLoad() throws Exception {
    SecurityConfig config = ClusterSecurity.issueLocally(RootCA.create(), "node1", NodeRole.WORKER, "c",
        Duration.ofHours(2));
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(stateDir);
    files.save(config);
    files.saveRoot(RootCA.create());
    assertThatThrownBy(files::load).isInstanceOf(CertificateException.class);
  }

  @Test
  void keyThatDoesNotMatchTheCertificateDoesNotLoad() throws Exception {
    RootCA root = RootCA.create();
    SecurityConfig a = ClusterSecurity.issueLocally(root, "a", NodeRole.WORKER, "c", Duration.ofHours(2));
    SecurityConfig b = ClusterSecurity.issueLocally(root, "b", NodeRole.WORKER, "c", Duration.ofHours(2));
    assertThatThrownBy(() -> SecurityConfig.of(a.rootCA(), b.keyPem(), a.certificatePem()))
        .isInstanceOf(CertificateException.class).hasMessageContaining("key mismatch");
  }
}
