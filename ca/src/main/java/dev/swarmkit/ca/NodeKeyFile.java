package dev.swarmkit.ca;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The contents of a node's key file (upstream's swarm-node.key with its PEM headers): the TLS private
 * key and, on a manager, the Raft data keys in header {@code raft-dek}. With a key-encryption key (KEK,
 * the cluster's unlock key while autolock is on) both are sealed with AES-256-GCM under that key:
 * the key body as a PEM block with {@code Proc-Type: 4,ENCRYPTED} and {@code DEK-Info: AES-256-GCM,<nonce>},
 * the header value as base64 of nonce and ciphertext; {@code kek-version} records which unlock key
 * (the cluster version it came from) sealed them.
 */
public record NodeKeyFile(byte[] keyPem, Optional<byte[]> raftDek) {

  static final String RAFT_DEK = "raft-dek";
  static final String KEK_VERSION = "kek-version";
  private static final String PROC_TYPE = "Proc-Type";
  private static final String DEK_INFO = "DEK-Info";
  private static final String CIPHER = "AES-256-GCM";
  private static final int NONCE_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The key file is sealed and no unlock key was given. */
  public static final class LockedException extends Exception {
    LockedException(String message) {
      super(message);
    }
  }

  /** Whether {@code file} is sealed with an unlock key. */
  public static boolean isLocked(byte[] file) {
    return headers(new String(file, StandardCharsets.US_ASCII)).containsKey(PROC_TYPE);
  }

  /** The PEM text, sealed with {@code kek} unless it is null. */
  public byte[] encode(byte[] kek, long kekVersion) {
    Block key = Block.parse(new String(keyPem, StandardCharsets.US_ASCII));
    Map<String, String> headers = new LinkedHashMap<>();
    byte[] body = key.body;
    if (kek != null) {
      headers.put(KEK_VERSION, Long.toString(kekVersion));
    }
    raftDek.ifPresent(dek -> headers.put(RAFT_DEK,
        Base64.getEncoder().encodeToString(kek == null ? dek : seal(kek, dek))));
    if (kek != null) {
      byte[] sealed = seal(kek, body);
      headers.put(PROC_TYPE, "4,ENCRYPTED");
      headers.put(DEK_INFO, CIPHER + "," + HexFormat.of().formatHex(sealed, 0, NONCE_BYTES));
      body = java.util.Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length);
    }
    StringBuilder out = new StringBuilder("-----BEGIN ").append(key.type).append("-----\n");
    headers.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    if (!headers.isEmpty()) {
      out.append('\n');
    }
    String b64 = Base64.getEncoder().encodeToString(body);
    for (int i = 0; i < b64.length(); i += 64) {
      out.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    out.append("-----END ").append(key.type).append("-----\n");
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads a key file; {@code kek} may be null for a file that is not sealed. */
  public static NodeKeyFile decode(byte[] file, byte[] kek) throws LockedException {
    Block block = Block.parse(new String(file, StandardCharsets.US_ASCII));
    byte[] body = block.body;
    boolean sealed = block.headers.containsKey(PROC_TYPE);
    if (sealed) {
      if (kek == null) {
        throw new LockedException("this manager is locked: its key file is encrypted with the swarm's unlock "
            + "key; start swarmd with --unlock-key SWMKEY-1-...");
      }
      String info = block.headers.getOrDefault(DEK_INFO, "");
      if (!info.startsWith(CIPHER + ",")) {
        throw new IllegalArgumentException("unsupported key file encryption: " + info);
      }
      byte[] nonce = HexFormat.of().parseHex(info.substring(CIPHER.length() + 1));
      byte[] joined = new byte[nonce.length + body.length];
      System.arraycopy(nonce, 0, joined, 0, nonce.length);
      System.arraycopy(body, 0, joined, nonce.length, body.length);
      body = open(kek, joined);
    }
    Optional<byte[]> dek = Optional.ofNullable(block.headers.get(RAFT_DEK)).map(v -> Base64.getDecoder().decode(v));
    if (sealed && dek.isPresent()) {
      dek = Optional.of(open(kek, dek.get()));
    }
    String plain = "-----BEGIN " + block.type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(body) + "\n-----END " + block.type + "-----\n";
    return new NodeKeyFile(plain.getBytes(StandardCharsets.US_ASCII), dek);
  }

  private static byte[] seal(byte[] kek, byte[] plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      byte[] ct = cipher(Cipher.ENCRYPT_MODE, kek, nonce).doFinal(plain);
      byte[] out = new byte[NONCE_BYTES + ct.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(ct, 0, out, NONCE_BYTES, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt the key file", e);
    }
  }

  private static byte[] open(byte[] kek, byte[] sealed) throws LockedException {
    try {
      return cipher(Cipher.DECRYPT_MODE, kek, java.util.Arrays.copyOf(sealed, NONCE_BYTES))
          .doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new LockedException("invalid unlock key: it does not decrypt this manager's key file");
    }
  }

  private static Cipher cipher(int mode, byte[] kek, byte[] nonce) throws GeneralSecurityException {
    // Unlock keys are random bytes of any length; hash them to an AES-256 key.
    byte[] key = MessageDigest.getInstance("SHA-256").digest(kek);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    return cipher;
  }

  private static Map<String, String> headers(String pem) {
    return Block.parse(pem).headers;
  }

  /** One PEM block: type, RFC 1421 headers, body. */
  private record Block(String type, Map<String, String> headers, byte[] body) {
    static Block parse(String pem) {
      String[] lines = pem.replace("\r", "").split("\n");
      String type = null;
      Map<String, String> headers = new LinkedHashMap<>();
      StringBuilder b64 = new StringBuilder();
      boolean inside = false;
      for (String line : lines) {
        if (line.startsWith("-----BEGIN ")) {
          type = line.substring(11, line.length() - 5);
          inside = true;
        } else if (line.startsWith("-----END ")) {
          break;
        } else if (inside && line.contains(": ") && b64.length() == 0) {
          int colon = line.indexOf(": ");
          headers.put(line.substring(0, colon), line.substring(colon + 2).trim());
        } else if (inside) {
          b64.append(line.trim());
        }
      }
      if (type == null) {
        throw new IllegalArgumentException("no PEM block in the key file");
      }
      return new Block(type, headers, Base64.getDecoder().decode(b64.toString()));
    }
  }
}
