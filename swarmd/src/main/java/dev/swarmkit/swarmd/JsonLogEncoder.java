package dev.swarmkit.swarmd;

import dev.swarmkit.api.util.GoJsonStrings;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log line, with the keys of upstream's logrus JSON formatter ({@code time},
 * {@code level}, {@code msg}, then the entry's fields): {@code node.id}, {@code module} (the
 * logger's simple name), {@code logger}, the MDC, and {@code error} with the stack trace when an
 * exception is logged. Levels are logrus' names ({@code warning}, not {@code warn}).
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneId.systemDefault());
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append('{');
    field(out, "time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
    field(out, "level", level(event.getLevel()));
    field(out, "msg", event.getFormattedMessage());
    Map<String, String> fields = new TreeMap<>(event.getMDCPropertyMap());
    String nodeId = fields.getOrDefault("node.id", "");
    if (nodeId.isEmpty()) {
      nodeId = NodeIdConverter.processNodeId();
    }
    if (!nodeId.isEmpty()) {
      fields.put("node.id", nodeId);
    }
    String logger = event.getLoggerName();
    fields.put("logger", logger);
    fields.put("module", logger.substring(logger.lastIndexOf('.') + 1));
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      fields.put("error", ThrowableProxyUtil.asString(thrown));
    }
    fields.forEach((k, v) -> field(out, k, v));
    out.setLength(out.length() - 1); // the last comma
    out.append("}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String level(Level level) {
    return switch (level.toInt()) {
      case Level.TRACE_INT -> "trace";
      case Level.DEBUG_INT -> "debug";
      case Level.WARN_INT -> "warning";
      case Level.ERROR_INT -> "error";
      default -> "info";
    };
  }

  private static void field(StringBuilder out, String key, String value) {
    quote(out, key);
    out.append(':');
    quote(out, value == null ? "" : value);
    out.append(',');
  }

  /** A JSON string, escaped as logrus' formatter (Go's encoding/json) escapes it. */
  static void quote(StringBuilder out, String s) {
    GoJsonStrings.quote(s, out);
  }
}
