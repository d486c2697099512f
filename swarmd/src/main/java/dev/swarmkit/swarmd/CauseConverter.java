package dev.swarmkit.swarmd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.slf4j.LoggerFactory;

/**
 * Log pattern word {@code %cause}: a logged exception as one line ("; cause: Type: message <- ...")
 * unless the root level is DEBUG ({@code --log-level debug}), where the full stack trace is printed.
 * Operators read the first form; developers ask for the second.
 */
public final class CauseConverter extends ThrowableProxyConverter {

  @Override
  public String convert(ILoggingEvent event) {
    IThrowableProxy proxy = event.getThrowableProxy();
    if (proxy == null) {
      return "";
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root.getLevel() != null && root.getLevel().toInt() <= Level.DEBUG_INT) {
      // The pattern ends the line: start the trace on its own line, leave the last newline to it.
      String trace = super.convert(event);
      return System.lineSeparator() + trace.stripTrailing();
    }
    return oneLine(proxy);
  }

  /** "; cause: Outer: msg <- Inner: msg", at most a few links, on the event's own line. */
  static String oneLine(IThrowableProxy proxy) {
    StringBuilder sb = new StringBuilder("; cause: ");
    int links = 0;
    for (IThrowableProxy p = proxy; p != null && links < 4; p = p.getCause(), links++) {
      if (links > 0) {
        sb.append(" <- ");
      }
      String type = p.getClassName();
      sb.append(type.substring(type.lastIndexOf('.') + 1));
      if (p.getMessage() != null) {
        sb.append(": ").append(p.getMessage().replace('\n', ' '));
      }
    }
    return sb.toString();
  }
}
