package dev.swarmkit.store.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

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
    GCMModeCipher gcm = gcm(true, k.current(), nonce, header);
    byte[] out = Arrays.copyOf(header, HEADER_BYTES + gcm.getOutputSize(plain.length));
    int n = gcm.processBytes(plain, 0, plain.length, out, HEADER_BYTES);
    try {
      gcm.doFinal(out, HEADER_BYTES + n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("cannot encrypt raft data", e);
    }
    return out;
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
    GCMModeCipher gcm = gcm(false, key.get(), nonce, data);
    int length = data.length - HEADER_BYTES;
    byte[] plain = new byte[gcm.getOutputSize(length)];
    try {
      int n = gcm.processBytes(data, HEADER_BYTES, length, plain, 0);
      n += gcm.doFinal(plain, n);
      return n == plain.length ? plain : Arrays.copyOf(plain, n);
    } catch (InvalidCipherTextException | RuntimeException e) {
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

  /**
   * AES-GCM with the first five header bytes (marker and key id) authenticated: standard AES-GCM, so
   * the JDK's cipher opens what this seals and the other way round. Bouncy Castle's rather than the
   * JDK's: swarmd runs C1 only, and the JDK's GCM is written for C2's intrinsics (about 50 times
   * slower without them, 1.6 times slower than Bouncy Castle's table-driven GHASH).
   */
  private static GCMModeCipher gcm(boolean seal, byte[] key, byte[] nonce, byte[] header) {
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(seal, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, Arrays.copyOf(header, 5)));
    return gcm;
  }
}
