package dev.swarmkit.ca;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * A swarm join token, upstream's format: {@code SWMTKN-1-<digest>-<secret>} where digest is the
 * SHA-256 of the root CA certificate PEM as a base-36 integer zero-padded to 50 characters and secret
 * is 16 random bytes as base 36 zero-padded to 25. Version 2 ({@code SWMTKN-2-<fips>-...}) is parsed
 * too.
 */
public record JoinToken(int version, String rootDigestHex, String secret, boolean fips) {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SECRET_BYTES = 16;
  private static final int BASE = 36;
  private static final int SECRET_LENGTH = 25;
  private static final int DIGEST_LENGTH = 50;

  /** Generates a fresh version-1 token for {@code rootCA}. */
  public static String generate(RootCA rootCA) {
    return generate(rootCA.digestHex());
  }

  /** Generates a fresh version-1 token for a root whose SHA-256 digest is {@code rootDigestHex}. */
  public static String generate(String rootDigestHex) {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return "SWMTKN-1-" + pad(new BigInteger(rootDigestHex, 16).toString(BASE), DIGEST_LENGTH)
        + "-" + pad(new BigInteger(1, secret).toString(BASE), SECRET_LENGTH);
  }

  /**
   * Parses a token's structure.
   *
   * @throws InvalidJoinTokenException "invalid join token" for anything malformed
   */
  public static JoinToken parse(String token) throws InvalidJoinTokenException {
    if (token == null) {
      throw new InvalidJoinTokenException();
    }
    String[] parts = token.split("-", -1);
    if (parts.length < 4 || !parts[0].equals("SWMTKN")) {
      throw new InvalidJoinTokenException();
    }
    int version;
    boolean fips = false;
    switch (parts[1]) {
      case "1" -> {
        if (parts.length != 4) {
          throw new InvalidJoinTokenException();
        }
        version = 1;
      }
      case "2" -> {
        if (parts.length != 5 || !(parts[2].equals("0") || parts[2].equals("1"))) {
          throw new InvalidJoinTokenException();
        }
        version = 2;
        fips = parts[2].equals("1");
      }
      default -> throw new InvalidJoinTokenException();
    }
    String secret = parts[parts.length - 1];
    String digest = parts[parts.length - 2];
    if (digest.length() != DIGEST_LENGTH || secret.length() != SECRET_LENGTH
        || !isBase36(digest) || !isBase36(secret)) {
      throw new InvalidJoinTokenException();
    }
    BigInteger digestValue = new BigInteger(digest, BASE);
    if (digestValue.bitLength() > 256) {
      throw new InvalidJoinTokenException();
    }
    String hex = pad(digestValue.toString(16), 64);
    return new JoinToken(version, hex, secret, fips);
  }

  /** Whether the root certificate PEM bytes hash to this token's digest. */
  public boolean matchesRoot(byte[] rootCertPem) {
    byte[] actual = RootCA.sha256Hex(rootCertPem).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(actual, rootDigestHex.getBytes(StandardCharsets.US_ASCII));
  }

  /** Constant-time equality of two token strings (a null never matches). */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null || a.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isBase36(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
        return false;
      }
    }
    return !s.isEmpty() && s.equals(s.toLowerCase(Locale.ROOT));
  }

  private static String pad(String s, int length) {
    return s.length() >= length ? s : "0".repeat(length - s.length()) + s;
  }
}
