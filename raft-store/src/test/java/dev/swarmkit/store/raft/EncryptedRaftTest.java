package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.store.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log payloads and snapshots on disk are sealed with the managers' data keys. */
class EncryptedRaftTest {

  private static final String MARKER = "plaintext-marker-7f3a";

  @TempDir Path dir;

  @Test
  void logAndSnapshotsOnDiskRevealNoStoreContentAndRestartReadsThemBack() throws Exception {
    DataKeys keys = DataKeys.generate();
    try (TestCluster c = TestCluster.start(dir, 3, conf -> TestCluster.compacting(conf)
        .withEncryption(RaftEncryption.with(keys)))) {
      for (int i = 0; i < 25; i++) {
        c.createOnLeader(MARKER + "-" + i);
      }
      await().atMost(TestCluster.WAIT).until(() -> c.running().stream()
          .allMatch(n -> n.store().view(tx -> tx.all(Table.NODES)).size() == 25));
      assertThat(snapshotFiles(dir)).isNotEmpty();
      assertThat(filesContaining(dir, MARKER)).isEmpty();

      RaftNode restarted = c.restart(1);
      await().atMost(TestCluster.WAIT).until(() -> restarted.store().view(tx -> tx.all(Table.NODES)).size() == 25);
    }
  }

  @Test
  void aRotatedKeyReachesEveryMemberAndTheirSnapshotsAreSealedWithIt() throws Exception {
    DataKeys keys = DataKeys.generate();
    try (TestCluster c = TestCluster.start(dir, 3, conf -> conf.withEncryption(RaftEncryption.with(keys)))) {
      c.createOnLeader("before-rotation");
      c.leader().rotateDataKey();
      byte[] rotated = c.leader().encryption().keys().orElseThrow().current();
      assertThat(rotated).isNotEqualTo(keys.current());

      await().atMost(TestCluster.WAIT).untilAsserted(() -> {
        for (RaftNode n : c.running()) {
          assertThat(n.encryption().keys().orElseThrow().current()).isEqualTo(rotated);
        }
        // every member snapshotted after the rotation, sealed with the new key
        assertThat(snapshotFiles(dir).stream().map(EncryptedRaftTest::sealingKeyId).distinct())
            .contains(DataKeys.idOf(rotated));
        assertThat(snapshotFiles(dir).stream().filter(f -> sealingKeyId(f) == DataKeys.idOf(rotated))).hasSize(3);
      });

      c.createOnLeader("after-rotation");
      RaftNode restarted = c.restart(2);
      await().atMost(TestCluster.WAIT).until(() -> restarted.store().view(tx -> tx.all(Table.NODES)).size() == 2);
    }
  }

  @Test
  void tamperedDataFailsAuthenticationAndUnknownKeysAreFetchedFromTheKeySource() throws Exception {
    DataKeys old = DataKeys.generate();
    RaftEncryption sender = RaftEncryption.with(old);
    byte[] sealed = sender.seal("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(RaftEncryption.with(old).open(sealed), StandardCharsets.UTF_8)).isEqualTo("hello");

    byte[] tampered = sealed.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> RaftEncryption.with(old).open(tampered)).isInstanceOf(IOException.class)
        .hasMessageContaining("failed authentication");
    assertThatThrownBy(() -> RaftEncryption.with(old).open("hello".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("not encrypted");

    RaftEncryption stranger = RaftEncryption.with(DataKeys.generate());
    assertThatThrownBy(() -> stranger.open(sealed)).isInstanceOf(IOException.class)
        .hasMessageContaining("unknown data key");
    stranger.setKeySource(() -> Optional.of(old));
    assertThat(stranger.open(sealed)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(stranger.keys().orElseThrow().current()).isEqualTo(old.current());
  }

  static List<Path> snapshotFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().startsWith("snapshot.") && !p.toString().endsWith(".md5"))
          .toList();
    }
  }

  private static int sealingKeyId(Path snapshot) {
    try {
      ByteBuffer head = ByteBuffer.wrap(Arrays.copyOf(Files.readAllBytes(snapshot), 9));
      head.getInt(); // magic
      assertThat(head.get()).isEqualTo(RaftEncryption.SEALED);
      return head.getInt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> {
        try {
          return indexOf(Files.readAllBytes(p), needle) >= 0;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
