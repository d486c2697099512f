package dev.swarmkit.ca;

import java.util.Base64;

/** Unlock keys as users see them: upstream's "SWMKEY-1-" followed by unpadded base64. */
public final class UnlockKeys {

  private static final String PREFIX = "SWMKEY-1-";

  private UnlockKeys() {}

  public static String humanReadable(byte[] key) {
    return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(key);
  }

  /** The key bytes; fails with "invalid key string" as upstream for anything else. */
  public static byte[] parse(String text) {
    if (!text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("invalid unlock key: it must start with " + PREFIX);
    }
    try {
      byte[] key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
      if (key.length == 0) {
        throw new IllegalArgumentException("invalid unlock key: it is empty");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid unlock key: it is not base64 after " + PREFIX, e);
    }
  }
}
