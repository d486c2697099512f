package dev.swarmkit.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;

/**
 * The node's certificate files in {@code <state-dir>/certificates/}: swarm-root-ca.crt,
 * swarm-node.crt and swarm-node.key (mode 0600). Writes are atomic (temp file + rename). The key
 * file also holds a manager's Raft data keys and, while autolock is on, is sealed with the unlock
 * key ({@link NodeKeyFile}); this object remembers both, so every rewrite (renewal, new data keys,
 * new unlock key) keeps them.
 */
public final class NodeCertificateFiles {

  public static final String DIRECTORY = "certificates";
  public static final String ROOT_CA_CERT = "swarm-root-ca.crt";
  public static final String NODE_CERT = "swarm-node.crt";
  public static final String NODE_KEY = "swarm-node.key";

  private final Path directory;
  private byte[] kek;
  private long kekVersion;
  private byte[] raftDek;
  private byte[] keyPem;

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

  /**
   * Loads the saved identity; the certificate must chain to the saved root. A sealed key file needs
   * the unlock key ({@link #unlockWith}) and fails with {@link NodeKeyFile.LockedException} otherwise.
   */
  public synchronized SecurityConfig load() throws IOException, CertificateException, NodeKeyFile.LockedException {
    RootCA root = RootCA.fromCertificate(Files.readAllBytes(rootCertPath()));
    NodeKeyFile key = NodeKeyFile.decode(Files.readAllBytes(nodeKeyPath()), kek);
    SecurityConfig config = SecurityConfig.of(root, key.keyPem(), Files.readAllBytes(nodeCertPath()));
    keyPem = key.keyPem();
    raftDek = key.raftDek().orElse(null);
    return config;
  }

  /** Whether the key file on disk is sealed with an unlock key. */
  public boolean locked() throws IOException {
    return Files.isRegularFile(nodeKeyPath()) && NodeKeyFile.isLocked(Files.readAllBytes(nodeKeyPath()));
  }

  /** The unlock key to open a sealed key file with (before {@link #load}). */
  public synchronized void unlockWith(byte[] unlockKey) {
    this.kek = unlockKey == null ? null : unlockKey.clone();
  }

  /** The Raft data keys kept in the key file, if this node was a manager. */
  public synchronized Optional<byte[]> raftDataKeys() {
    return Optional.ofNullable(raftDek).map(byte[]::clone);
  }

  /** Keeps new Raft data keys (null: none, e.g. after a demotion), rewriting the key file. */
  public synchronized void saveRaftDataKeys(byte[] encodedKeys) throws IOException {
    raftDek = encodedKeys == null ? null : encodedKeys.clone();
    rewriteKey();
  }

  /**
   * Seals the key file with {@code unlockKey}, recorded as the one of cluster version {@code version},
   * or unseals it (null): autolock turned on, rotated or off. Does nothing if that key sealed it.
   */
  public synchronized void relock(byte[] unlockKey, long version) throws IOException {
    if (java.util.Arrays.equals(kek, unlockKey)) {
      return;
    }
    kek = unlockKey == null ? null : unlockKey.clone();
    kekVersion = version;
    rewriteKey();
  }

  /** Whether the key file is sealed with exactly {@code unlockKey} (null: not sealed). */
  public synchronized boolean lockedWith(byte[] unlockKey) {
    return java.util.Arrays.equals(kek, unlockKey);
  }

  private void rewriteKey() throws IOException {
    if (keyPem == null) {
      return;
    }
    write(nodeKeyPath(), new NodeKeyFile(keyPem, Optional.ofNullable(raftDek)).encode(kek, kekVersion), true);
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

  public synchronized void saveNode(byte[] keyPem, byte[] certPem) throws IOException {
    Files.createDirectories(directory);
    this.keyPem = keyPem.clone();
    rewriteKey();
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
