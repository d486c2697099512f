package dev.swarmkit.executor.docker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/** One timestamped log line as the engine sends it with timestamps on: "<RFC3339Nano> <data>". */
record LogLine(long timestampMillis, byte[] data) {

  static LogLine parse(byte[] payload) {
    int space = -1;
    for (int i = 0; i < payload.length; i++) {
      if (payload[i] == ' ') {
        space = i;
        break;
      }
    }
    if (space < 0) {
      throw new IllegalArgumentException("invalid timestamp in log message: " + new String(payload, StandardCharsets.UTF_8));
    }
    String ts = new String(payload, 0, space, StandardCharsets.US_ASCII);
    try {
      Instant instant = Instant.parse(ts);
      return new LogLine(instant.toEpochMilli(), Arrays.copyOfRange(payload, space + 1, payload.length));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("failed to parse timestamp in log message: " + ts, e);
    }
  }
}
