package dev.swarmkit.manager.controlapi;

import java.util.Locale;
import java.util.regex.Pattern;

/** Validity of a container image reference, as docker's normalized-name parser decides it. */
final class ImageReference {

  private static final String ALPHANUMERIC = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";
  private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String HOST =
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
  private static final String DOMAIN_AND_PORT = HOST + "(?::[0-9]+)?";
  private static final String NAME =
      "(?:" + DOMAIN_AND_PORT + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST =
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final Pattern REFERENCE =
      Pattern.compile("(" + NAME + ")(?::" + TAG + ")?(?:@" + DIGEST + ")?");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");
  private static final int NAME_MAX_LENGTH = 255;

  private ImageReference() {}

  static boolean isValid(String image) {
    if (image.isEmpty() || IDENTIFIER.matcher(image).matches()) {
      return false;
    }
    String domain = "docker.io";
    String remainder = image;
    int slash = image.indexOf('/');
    if (slash >= 0) {
      String first = image.substring(0, slash);
      boolean isDomain = first.contains(".") || first.contains(":") || first.equals("localhost")
          || !first.toLowerCase(Locale.ROOT).equals(first);
      if (isDomain) {
        domain = first;
        remainder = image.substring(slash + 1);
      }
    }
    if (domain.equals("docker.io") && !remainder.contains("/")) {
      remainder = "library/" + remainder;
    }
    int tagAt = remainder.indexOf(':');
    String repository = tagAt >= 0 ? remainder.substring(0, tagAt) : remainder;
    if (!repository.toLowerCase(Locale.ROOT).equals(repository)) {
      return false;
    }
    var match = REFERENCE.matcher(domain + "/" + remainder);
    return match.matches() && match.group(1).length() <= NAME_MAX_LENGTH;
  }
}
