package dev.swarmkit.store.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the payloads this member puts into Raft log entries and its snapshot files with the current
 * data key (AES-256-GCM: encrypted and authenticated), and opens them with whichever key sealed them
 * (upstream's manager/encryption and the DEK-encrypted WAL and snapshots). Sealed bytes are {@code
 * 0xE5, key id (4 bytes), nonce (12 bytes), ciphertext with tag}. Without keys ({@link #plaintext()},
 * for tests of the store alone) payloads are stored as they are.
 *
 * <p>A member that meets a key it does not hold (it missed a rotation that has been compacted into
 * the snapshot it received) asks its {@linkplain #setKeySource key source} (the other managers) for
 * the current keys. Key changes are reported to listeners, which persist them in the node's key file.
 */
public final class RaftEncryption {

  static final byte SEALED = (byte) 0xE5;
  private static final int NONCE_BYTES = 12;
  private static final int HEADER_BYTES = 1 + 4 + NONCE_BYTES;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private volatile DataKeys keys;
  private volatile Supplier<Optional<DataKeys>> keySource = Optional::empty;
  private final List<Consumer<DataKeys>> listeners = new CopyOnWriteArrayList<>();

  private RaftEncryption(DataKeys keys) {
    this.keys = keys;
  }

  /** Stores payloads unencrypted: for the store's own tests only; managers always have keys. */
  public static RaftEncryption plaintext() {
    return new RaftEncryption(null);
  }

  public static RaftEncryption with(DataKeys keys) {
    return new RaftEncryption(keys);
  }

  public boolean encrypts() {
    return keys != null;
  }

  /** The keys held now (empty when storing plaintext). */
  public Optional<DataKeys> keys() {
    return Optional.ofNullable(keys);
  }

  /** Called with the new keys after every change (rotation, keys learnt from another manager). */
  public void onChange(Consumer<DataKeys> listener) {
    listeners.add(listener);
  }

  /** Where to get the current keys when a payload was sealed with an unknown one. */
  public void setKeySource(Supplier<Optional<DataKeys>> source) {
    this.keySource = source;
  }

  byte[] seal(byte[] plain) {
    DataKeys k = keys;
    if (k == null) {
      return plain;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    int id = k.currentId();
    byte[] header = ByteBuffer.allocate(HEADER_BYTES).put(SEALED).putInt(id).put(nonce).array();
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, k.current(), nonce);
      cipher.updateAAD(header, 0, 5);
      byte[] sealed = cipher.doFinal(plain);
      return ByteBuffer.allocate(HEADER_BYTES + sealed.length).put(header).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt raft data", e);
    }
  }

  byte[] open(byte[] data) throws IOException {
    DataKeys k = keys;
    if (k == null) {
      if (data.length > 0 && data[0] == SEALED) {
        throw new IOException("raft data is encrypted but this member has no data keys");
      }
      return data;
    }
    if (data.length < HEADER_BYTES || data[0] != SEALED) {
      throw new IOException("raft data is not encrypted; refusing it (data keys are configured)");
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    in.get();
    int id = in.getInt();
    byte[] nonce = new byte[NONCE_BYTES];
    in.get(nonce);
    Optional<byte[]> key = k.byId(id);
    if (key.isEmpty()) {
      key = keySource.get().flatMap(fetched -> {
        adopt(fetched);
        return keys.byId(id);
      });
    }
    if (key.isEmpty()) {
      throw new IOException("raft data is encrypted with unknown data key " + Integer.toHexString(id));
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key.get(), nonce);
      cipher.updateAAD(data, 0, 5);
      return cipher.doFinal(data, HEADER_BYTES, data.length - HEADER_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IOException("raft data failed authentication with data key " + Integer.toHexString(id), e);
    }
  }

  /** Makes {@code key} the current key (a rotation entry was applied). */
  synchronized void rotateTo(byte[] key) {
    if (keys == null) {
      return;
    }
    keys = keys.rotatedTo(key);
    listeners.forEach(l -> l.accept(keys));
  }

  /** Takes another manager's keys, keeping own older ones. */
  public synchronized void adopt(DataKeys other) {
    DataKeys merged = keys == null ? other : keys.adopting(other);
    if (!merged.equals(keys)) {
      keys = merged;
      listeners.forEach(l -> l.accept(keys));
    }
  }

  private static Cipher cipher(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    return cipher;
  }
}
