package dev.swarmkit.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;

/**
 * The node's certificate files in {@code <state-dir>/certificates/}: swarm-root-ca.crt,
 * swarm-node.crt and swarm-node.key (mode 0600). Writes are atomic (temp file + rename).
 */
public final class NodeCertificateFiles {

  public static final String DIRECTORY = "certificates";
  public static final String ROOT_CA_CERT = "swarm-root-ca.crt";
  public static final String NODE_CERT = "swarm-node.crt";
  public static final String NODE_KEY = "swarm-node.key";

  private final Path directory;

  private NodeCertificateFiles(Path directory) {
    this.directory = directory;
  }

  /** The files under {@code stateDir/certificates}. */
  public static NodeCertificateFiles inStateDir(Path stateDir) {
    return new NodeCertificateFiles(stateDir.resolve(DIRECTORY));
  }

  public Path directory() {
    return directory;
  }

  public Path rootCertPath() {
    return directory.resolve(ROOT_CA_CERT);
  }

  public Path nodeCertPath() {
    return directory.resolve(NODE_CERT);
  }

  public Path nodeKeyPath() {
    return directory.resolve(NODE_KEY);
  }

  /** Whether a complete node identity (root, certificate and key) is on disk. */
  public boolean exist() {
    return Files.isRegularFile(rootCertPath()) && Files.isRegularFile(nodeCertPath())
        && Files.isRegularFile(nodeKeyPath());
  }

  /** Loads the saved identity; the certificate must chain to the saved root. */
  public SecurityConfig load() throws IOException, CertificateException {
    RootCA root = RootCA.fromCertificate(Files.readAllBytes(rootCertPath()));
    return SecurityConfig.of(root, Files.readAllBytes(nodeKeyPath()), Files.readAllBytes(nodeCertPath()));
  }

  /** Saves root, certificate and key (key last-but-atomically, with mode 0600). */
  public void save(SecurityConfig config) throws IOException {
    saveRoot(config.rootCA());
    saveNode(config.keyPem(), config.certificatePem());
  }

  public void saveRoot(RootCA root) throws IOException {
    Files.createDirectories(directory);
    write(rootCertPath(), root.certPem(), false);
  }

  public void saveNode(byte[] keyPem, byte[] certPem) throws IOException {
    Files.createDirectories(directory);
    write(nodeKeyPath(), keyPem, true);
    write(nodeCertPath(), certPem, false);
  }

  private static void write(Path target, byte[] data, boolean secret) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (secret) {
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
    }
    Files.write(tmp, data);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
