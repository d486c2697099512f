package dev.swarmkit.swarmd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Maps swarmd's upstream-style log level names onto Logback's root logger. */
final class LogLevels {
  private LogLevels() {}

  static void apply(String name) {
    Level level = switch (name) {
      case "debug" -> Level.DEBUG;
      case "warn" -> Level.WARN;
      case "error", "fatal", "panic" -> Level.ERROR;
      default -> Level.INFO;
    };
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
  }
}
