package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Annotations;
import java.util.regex.Pattern;

/** Naming rules for user-created objects, with upstream's messages. */
final class Names {

  private static final Pattern DNS_NAME = Pattern.compile("[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*");
  // Configs and secrets may also contain dots, since they are often named after files.
  private static final Pattern CONFIG_OR_SECRET_NAME =
      Pattern.compile("[a-zA-Z0-9]+(?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?");

  private Names() {}

  /** Services and networks: a DNS label. */
  static void validateAnnotations(Annotations annotations) {
    String name = annotations.getName();
    if (name.isEmpty()) {
      throw ApiErrors.invalidArgument("meta: name must be provided");
    }
    if (!DNS_NAME.matcher(name).matches()) {
      throw ApiErrors.invalidArgument("name must be valid as a DNS name component");
    }
    if (name.length() > 63) {
      throw ApiErrors.invalidArgument("name must be 63 characters or fewer");
    }
  }

  static void validateConfigOrSecretAnnotations(Annotations annotations) {
    String name = annotations.getName();
    if (name.isEmpty()) {
      throw ApiErrors.invalidArgument("name must be provided");
    }
    if (name.length() > 64 || !CONFIG_OR_SECRET_NAME.matcher(name).matches()) {
      throw ApiErrors.invalidArgument("invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, "
          + "and the start and end character must be [a-zA-Z0-9]");
    }
  }
}
