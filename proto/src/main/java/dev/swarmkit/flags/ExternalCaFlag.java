package dev.swarmkit.flags;

import dev.swarmkit.api.ExternalCA;
import java.util.Locale;

/**
 * Parses an external CA as upstream's {@code --external-ca} flags spell it:
 * {@code protocol=cfssl,url=https://...[,key=value...]} (extra pairs become options). Shared by
 * swarmd and swarmctl.
 */
public final class ExternalCaFlag {

  private ExternalCaFlag() {}

  /** @throws IllegalArgumentException with upstream's message for a malformed value */
  public static ExternalCA parse(String text) {
    ExternalCA.Builder ca = ExternalCA.newBuilder();
    boolean protocol = false;
    for (String field : text.split(",")) {
      String[] kv = field.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("invalid field '" + field + "' must be a key=value pair");
      }
      switch (kv[0].toLowerCase(Locale.ROOT)) {
        case "protocol" -> {
          if (!kv[1].equalsIgnoreCase("cfssl")) {
            throw new IllegalArgumentException("unrecognized external CA protocol " + kv[1]);
          }
          ca.setProtocol(ExternalCA.CAProtocol.CFSSL);
          protocol = true;
        }
        case "url" -> ca.setUrl(kv[1]);
        default -> ca.putOptions(kv[0], kv[1]);
      }
    }
    if (!protocol) {
      throw new IllegalArgumentException("protocol is a required field");
    }
    if (ca.getUrl().isEmpty()) {
      throw new IllegalArgumentException("url is a required field");
    }
    return ca.build();
  }
}
