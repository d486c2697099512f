package dev.swarmkit.identity;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Object IDs in upstream's format: 25 lower-case base-36 characters drawn from 128+ random bits. */
public final class Identity {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ENTROPY_BYTES = 17;
  private static final int ID_LENGTH = 25;

  private Identity() {}

  /** A new random ID, e.g. {@code ifqro3cvh6p4tmgxcrfglw30x}. */
  public static String newId() {
    byte[] bytes = new byte[ENTROPY_BYTES];
    RANDOM.nextBytes(bytes);
    // The high bit makes the base-36 text always long enough; its first digit carries little
    // entropy, so it is dropped, as upstream does.
    bytes[0] |= (byte) 0x80;
    return new BigInteger(1, bytes).toString(36).substring(1, ID_LENGTH + 1);
  }

  /** Whether {@code s} looks like an ID this function makes. */
  public static boolean isId(String s) {
    return s != null && s.length() == ID_LENGTH && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
  }
}
