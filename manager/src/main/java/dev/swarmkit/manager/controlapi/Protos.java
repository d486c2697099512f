package dev.swarmkit.manager.controlapi;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Small conversions between protobuf well-known types and java.time. */
final class Protos {

  private Protos() {}

  static Timestamp now() {
    return timestamp(Instant.now());
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /**
   * A protobuf duration as java.time; one that Go's time.Duration cannot hold (int64 nanoseconds,
   * about 292 years) or with nanos out of range is refused as upstream's DurationFromProto does.
   */
  static java.time.Duration duration(Duration duration) {
    long seconds = duration.getSeconds();
    int nanos = duration.getNanos();
    if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      throw ApiErrors.invalidArgument("duration: %ds %dns: nanos out of range", seconds, nanos);
    }
    try {
      // Both steps overflow for extreme values (e.g. the minimum seconds with negative nanos).
      java.time.Duration d = java.time.Duration.ofSeconds(seconds, nanos);
      d.toNanos();
      return d;
    } catch (ArithmeticException e) {
      throw ApiErrors.invalidArgument("duration: %ds %dns: out of range", seconds, nanos);
    }
  }

  /** Refuses the message if any duration in it, at any depth, is out of range ({@link #duration}). */
  static void requireValidDurations(com.google.protobuf.MessageOrBuilder message) {
    if (message instanceof Duration d) {
      duration(d);
      return;
    }
    for (java.util.Map.Entry<com.google.protobuf.Descriptors.FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      if (e.getKey().getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (e.getKey().isRepeated()) {
        for (Object item : (java.util.List<?>) e.getValue()) {
          requireValidDurations((com.google.protobuf.MessageOrBuilder) item);
        }
      } else {
        requireValidDurations((com.google.protobuf.MessageOrBuilder) e.getValue());
      }
    }
  }

  static Duration duration(java.time.Duration duration) {
    return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
  }

  static boolean isNegative(Duration duration) {
    return duration(duration).isNegative();
  }
}
