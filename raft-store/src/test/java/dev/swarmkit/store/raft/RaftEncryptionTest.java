package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Sealed Raft payloads are standard AES-256-GCM: the JDK's cipher opens them and the other way round. */
class RaftEncryptionTest {

  private final DataKeys keys = DataKeys.generate();
  private final RaftEncryption encryption = RaftEncryption.with(keys);
  private final byte[] payload = "a store transaction, or any bytes at all".repeat(500).getBytes(StandardCharsets.UTF_8);

  @Test
  void whatItSealsTheJdksAesGcmOpensWithTheMarkerAndKeyIdAuthenticated() throws Exception {
    byte[] sealed = encryption.seal(payload);

    assertThat(sealed[0]).isEqualTo(RaftEncryption.SEALED);
    assertThat(ByteBuffer.wrap(sealed, 1, 4).getInt()).isEqualTo(DataKeys.idOf(keys.current()));
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdk.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.current(), "AES"),
        new GCMParameterSpec(128, Arrays.copyOfRange(sealed, 5, 17)));
    jdk.updateAAD(sealed, 0, 5);
    assertThat(jdk.doFinal(sealed, 17, sealed.length - 17)).isEqualTo(payload);
    assertThat(encryption.open(sealed)).isEqualTo(payload);
  }

  @Test
  void itOpensWhatTheJdksAesGcmSealedAsEarlierVersionsDid() throws Exception {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    byte[] header = ByteBuffer.allocate(17).put(RaftEncryption.SEALED).putInt(DataKeys.idOf(keys.current()))
        .put(nonce).array();
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.current(), "AES"), new GCMParameterSpec(128, nonce));
    jdk.updateAAD(header, 0, 5);
    byte[] body = jdk.doFinal(payload);
    byte[] sealed = ByteBuffer.allocate(17 + body.length).put(header).put(body).array();

    assertThat(encryption.open(sealed)).isEqualTo(payload);
  }

  @Test
  void aChangedByteAnywhereFailsAuthentication() throws Exception {
    byte[] sealed = encryption.seal(payload);
    for (int i : new int[] {5, 17, sealed.length / 2, sealed.length - 1}) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 1;
      assertThatThrownBy(() -> encryption.open(tampered)).as("byte " + i).isInstanceOf(IOException.class)
          .hasMessageContaining("failed authentication");
    }
    assertThat(encryption.open(sealed)).isEqualTo(payload);
  }
}
