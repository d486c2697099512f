package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.exception.DockerException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns docker-java's failures into the engine's own one-line message. */
final class DockerErrors {

  private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private DockerErrors() {}

  /**
   * The engine's message for {@code e}: docker-java reports "Status 404: {"message":"..."}", and
   * users want only the text inside.
   */
  static String message(Throwable e) {
    String raw = e.getMessage();
    if (raw == null) {
      return e.getClass().getSimpleName();
    }
    Matcher m = JSON_MESSAGE.matcher(raw);
    if (m.find()) {
      return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if (e instanceof DockerException && raw.startsWith("Status ")) {
      int colon = raw.indexOf(':');
      if (colon > 0) {
        return raw.substring(colon + 1).trim();
      }
    }
    return raw.trim();
  }
}
