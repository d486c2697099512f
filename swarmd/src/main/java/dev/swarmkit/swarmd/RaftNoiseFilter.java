package dev.swarmkit.swarmd;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Ratis' reports of a request that reached a Raft server while it was starting or closing
 * ({@code ServerNotReadyException}, {@code AlreadyClosedException}): Ratis logs them as ERROR, but on
 * a clean shutdown or restart they are expected and nothing is to be done about them.
 */
public final class RaftNoiseFilter extends Filter<ILoggingEvent> {

  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (!event.getLoggerName().startsWith("org.apache.ratis")) {
      return FilterReply.NEUTRAL;
    }
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      String type = t.getClassName();
      if (type.endsWith(".ServerNotReadyException") || type.endsWith(".AlreadyClosedException")) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }
}
