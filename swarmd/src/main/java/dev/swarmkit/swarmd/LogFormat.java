package dev.swarmkit.swarmd;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * swarmd's --log-format: {@code text} keeps the configured Logback layout; {@code json} gives every
 * stream appender of the root logger a {@link JsonLogEncoder}, whatever logback.xml is in use.
 */
final class LogFormat {
  private LogFormat() {}

  static boolean valid(String format) {
    return format.equals("text") || format.equals("json");
  }

  static void apply(String format) {
    if (!format.equals("json")) {
      return;
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    LoggerContext context = root.getLoggerContext();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        // Swapped before the node starts its threads, so no event is being encoded meanwhile.
        stream.setEncoder(encoder);
      }
    }
  }
}
