package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Secret;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.NodeKeyFile;
import dev.swarmkit.ca.UnlockKeys;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest and autolock on real managers: the Raft state is sealed with the data keys,
 * the key file with the unlock key; a locked manager does not start without the right key; turning
 * autolock on and rotating the key re-encrypt every running manager's key file.
 */
class AutolockTest {

  private static final Pattern KEY = Pattern.compile("Unlock key: (SWMKEY-1-\\S+)");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void lockedManagerNeedsTheRightKeyAfterRotationAndItsFilesRevealNothing() throws Exception {
    SwarmNode first = swarm.initAutolocked("node-1");
    String key1 = unlockKey("node-1");
    String managerToken = swarm.joinToken("node-1", "Manager");
    swarm.join("node-2", first, managerToken);
    swarm.join("node-3", first, managerToken);
    TestSwarm.awaitReady(first, 3);
    String secretValue = "top-secret-" + UUID.randomUUID();
    Path secretFile = Files.writeString(Files.createTempFile("secret", ".txt"), secretValue);
    swarm.swarmctlOk("node-1", "secret", "create", "db-password", "--file", secretFile.toString());
    Files.delete(secretFile);
    for (String m : List.of("node-1", "node-2", "node-3")) {
      await().atMost(WAIT).until(() -> opensWith(m, key1));
    }

    // Rotation while all three run: every key file is sealed with the new key, none with the old one.
    String key2 = key(swarm.swarmctlOk("node-2", "cluster", "unlock-key", "--rotate", "default"));
    assertThat(key2).isNotEqualTo(key1);
    for (String m : List.of("node-1", "node-2", "node-3")) {
      await().atMost(WAIT).until(() -> opensWith(m, key2) && !opensWith(m, key1));
    }

    swarm.stop(swarm.node("node-3"));
    Map<String, String> before = digests(swarm.stateDir("node-3"));
    assertThatThrownBy(() -> swarm.restartWithUnlockKey("node-3", ""))
        .hasMessageContaining("this manager is locked").hasMessageContaining("--unlock-key");
    assertThatThrownBy(() -> swarm.restartWithUnlockKey("node-3", key1))
        .hasMessageContaining("invalid unlock key");
    assertThat(digests(swarm.stateDir("node-3"))).as("a refused start changes nothing").isEqualTo(before);

    SwarmNode third = swarm.restartWithUnlockKey("node-3", key2);
    await().atMost(WAIT).until(() -> !third.manager().orElseThrow().store()
        .view(tx -> tx.find(Table.SECRETS, By.name("db-password"))).isEmpty());

    // A copy of a stopped, locked manager's state dir: no secret value, CA key or cluster in clear.
    Cluster cluster = first.manager().orElseThrow().store().view(tx -> tx.all(Table.CLUSTERS)).get(0);
    Secret secret = first.manager().orElseThrow().store().view(tx -> tx.find(Table.SECRETS, By.name("db-password"))).get(0);
    assertThat(secret.getSpec().getData().toStringUtf8()).isEqualTo(secretValue);
    byte[] caKeyPem = cluster.getRootCa().getCaKey().toByteArray();
    assertThat(caKeyPem).isNotEmpty();
    swarm.stop(swarm.node("node-2"));
    Path copy = dir.resolve("copied-node-2");
    copyTree(swarm.stateDir("node-2"), copy);
    assertThat(RawFiles.containing(copy, secretValue.getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(RawFiles.containing(copy, caKeyPem)).isEmpty();
    assertThat(RawFiles.containing(copy, pemBody(caKeyPem))).isEmpty();
    assertThat(RawFiles.containing(copy, cluster.getId().getBytes(StandardCharsets.UTF_8),
        AutolockTest::isCertificate))
        .as("cluster ID outside the (public) certificates").isEmpty();
    assertThat(RawFiles.containing(copy, secret.getId().getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void turningAutolockOnSealsEveryKeyFileAndRotatesTheDataKeyAndOffUnsealsThem() throws Exception {
    SwarmNode first = swarm.init("node-1");
    swarm.join("node-2", first, swarm.joinToken("node-1", "Manager"));
    TestSwarm.awaitReady(first, 2);
    byte[] dataKeyBefore = currentDataKey("node-1", null);
    assertThat(currentDataKey("node-2", null)).isEqualTo(dataKeyBefore);

    swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--autolock=true");
    String key = unlockKey("node-2");
    byte[] kek = UnlockKeys.parse(key);
    for (String m : List.of("node-1", "node-2")) {
      await().atMost(WAIT).until(() -> opensWith(m, key));
      await().atMost(WAIT).until(() -> !Arrays.equals(currentDataKey(m, kek), dataKeyBefore));
    }
    assertThat(currentDataKey("node-1", kek)).isEqualTo(currentDataKey("node-2", kek));

    swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--autolock=false");
    for (String m : List.of("node-1", "node-2")) {
      await().atMost(WAIT).until(() -> !NodeKeyFile.isLocked(keyFile(m)));
    }
    swarm.stop(swarm.node("node-2"));
    SwarmNode second = swarm.restartWithUnlockKey("node-2", "");
    assertThat(second.manager()).isPresent();
  }

  private String unlockKey(String manager) {
    return key(swarm.swarmctlOk(manager, "cluster", "unlock-key", "default"));
  }

  private static String key(String output) {
    Matcher m = KEY.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m.group(1);
  }

  private byte[] keyFile(String hostname) throws IOException {
    return Files.readAllBytes(NodeCertificateFiles.inStateDir(swarm.stateDir(hostname)).nodeKeyPath());
  }

  private boolean opensWith(String hostname, String unlockKey) throws IOException {
    byte[] file = keyFile(hostname);
    if (!NodeKeyFile.isLocked(file)) {
      return false;
    }
    try {
      NodeKeyFile.decode(file, UnlockKeys.parse(unlockKey));
      return true;
    } catch (NodeKeyFile.LockedException e) {
      return false;
    }
  }

  private byte[] currentDataKey(String hostname, byte[] kek) throws Exception {
    byte[] keys = NodeKeyFile.decode(keyFile(hostname), kek).raftDek().orElseThrow();
    return Arrays.copyOf(keys, 32);
  }

  private static byte[] pemBody(byte[] pem) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (Files.isRegularFile(p)) {
          Files.copy(p, target);
        }
      }
    }
  }

  private static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        try {
          out.put(root.relativize(p).toString(),
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  private static boolean isCertificate(Path file) {
    return file.getFileName().toString().endsWith(".crt");
  }
}
