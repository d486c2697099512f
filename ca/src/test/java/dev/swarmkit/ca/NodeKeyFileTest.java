package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeKeyFileTest {

  private final byte[] keyPem = Pem.encodePkcs8(NodeKeys.generateKeyPair().getPrivate());
  private final byte[] dek = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Test
  void unsealedFileKeepsKeyAndDataKeysReadable() throws Exception {
    byte[] file = new NodeKeyFile(keyPem, Optional.of(dek)).encode(null, 0);

    assertThat(NodeKeyFile.isLocked(file)).isFalse();
    NodeKeyFile read = NodeKeyFile.decode(file, null);
    assertThat(Pem.decodePrivateKey(read.keyPem())).isEqualTo(Pem.decodePrivateKey(keyPem));
    assertThat(read.raftDek()).contains(dek);
  }

  @Test
  void sealedFileOpensOnlyWithItsUnlockKeyAndHidesKeyAndDataKeys() throws Exception {
    byte[] kek = UnlockKeys.parse("SWMKEY-1-" + java.util.Base64.getEncoder().withoutPadding()
        .encodeToString("an unlock key of 32 bytes, right".getBytes(StandardCharsets.US_ASCII)));
    byte[] file = new NodeKeyFile(keyPem, Optional.of(dek)).encode(kek, 7);
    String text = new String(file, StandardCharsets.US_ASCII);

    assertThat(NodeKeyFile.isLocked(file)).isTrue();
    assertThat(text).contains("kek-version: 7", "raft-dek: ", "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-GCM,");
    String plainBody = new String(keyPem, StandardCharsets.US_ASCII).split("\n")[1];
    assertThat(text).doesNotContain(plainBody).doesNotContain(java.util.Base64.getEncoder().encodeToString(dek));

    NodeKeyFile read = NodeKeyFile.decode(file, kek);
    assertThat(Pem.decodePrivateKey(read.keyPem())).isEqualTo(Pem.decodePrivateKey(keyPem));
    assertThat(read.raftDek()).contains(dek);
    assertThatThrownBy(() -> NodeKeyFile.decode(file, null)).isInstanceOf(NodeKeyFile.LockedException.class)
        .hasMessageContaining("this manager is locked");
    assertThatThrownBy(() -> NodeKeyFile.decode(file, "wrong".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(NodeKeyFile.LockedException.class).hasMessageContaining("invalid unlock key");
  }
}
