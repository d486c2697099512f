package dev.swarmkit.store.raft;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The managers' Raft data encryption keys (DEKs, AES-256), newest first: the first seals new log
 * entries and snapshots; older ones still open what they sealed until it is compacted away. Every
 * manager holds the same keys (the log is replicated as sealed), so a key is named by a short digest
 * of itself. Immutable.
 */
public final class DataKeys {

  public static final int KEY_BYTES = 32;
  /** Keys kept: the current one and two predecessors, for entries not yet compacted into a snapshot. */
  static final int RETAINED = 3;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<byte[]> keys;

  private DataKeys(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one data key is needed");
    }
    for (byte[] k : keys) {
      if (k.length != KEY_BYTES) {
        throw new IllegalArgumentException("a data key has " + KEY_BYTES + " bytes, not " + k.length);
      }
    }
    this.keys = keys.stream().map(byte[]::clone).toList();
  }

  /** A new random key. */
  public static byte[] newKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  public static DataKeys generate() {
    return new DataKeys(List.of(newKey()));
  }

  public byte[] current() {
    return keys.get(0).clone();
  }

  int currentId() {
    return idOf(keys.get(0));
  }

  Optional<byte[]> byId(int id) {
    return keys.stream().filter(k -> idOf(k) == id).findFirst().map(byte[]::clone);
  }

  public int size() {
    return keys.size();
  }

  /** These keys with {@code key} as the new current one. */
  public DataKeys rotatedTo(byte[] key) {
    List<byte[]> next = new ArrayList<>();
    next.add(key);
    keys.stream().filter(k -> !Arrays.equals(k, key)).forEach(next::add);
    return new DataKeys(next.subList(0, Math.min(RETAINED, next.size())));
  }

  /** {@code other}'s keys (its current one becomes current), then those of these it lacks. */
  public DataKeys adopting(DataKeys other) {
    List<byte[]> next = new ArrayList<>(other.keys);
    keys.stream().filter(k -> other.keys.stream().noneMatch(o -> Arrays.equals(o, k))).forEach(next::add);
    return new DataKeys(next);
  }

  /** The keys concatenated, newest first. */
  public byte[] encode() {
    byte[] out = new byte[keys.size() * KEY_BYTES];
    for (int i = 0; i < keys.size(); i++) {
      System.arraycopy(keys.get(i), 0, out, i * KEY_BYTES, KEY_BYTES);
    }
    return out;
  }

  public static DataKeys decode(byte[] encoded) {
    if (encoded.length == 0 || encoded.length % KEY_BYTES != 0) {
      throw new IllegalArgumentException("malformed data keys: " + encoded.length + " bytes");
    }
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < encoded.length; i += KEY_BYTES) {
      keys.add(Arrays.copyOfRange(encoded, i, i + KEY_BYTES));
    }
    return new DataKeys(keys);
  }

  static int idOf(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataKeys other && Arrays.equals(encode(), other.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "DataKeys[" + keys.size() + " keys, current " + Integer.toHexString(currentId()) + "]";
  }
}
