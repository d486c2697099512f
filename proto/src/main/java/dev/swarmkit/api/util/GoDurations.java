package dev.swarmkit.api.util;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Go's {@code time.Duration} text forms, the one codec every module uses: {@link #parse} is
 * {@code time.ParseDuration} (same grammar, rounding and error messages) and {@link #format} is
 * {@code Duration.String()} ("2160h0m0s", "1.5s", "300ms").
 */
public final class GoDurations {
  private static final long SECOND = 1_000_000_000L;
  /** 1 << 63 as an unsigned 64-bit value, Go's overflow bound. */
  private static final long TWO_TO_63 = Long.MIN_VALUE;
  private static final Map<String, Long> UNITS = Map.of(
      "ns", 1L,
      "us", 1_000L,
      "\u00b5s", 1_000L, // micro sign
      "\u03bcs", 1_000L, // Greek small letter mu
      "ms", 1_000_000L,
      "s", SECOND,
      "m", 60 * SECOND,
      "h", 3600 * SECOND);

  private GoDurations() {}

  /** Parses like Go's {@code time.ParseDuration}, to nanoseconds. */
  public static long parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    long total = 0; // unsigned
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!(c == '.' || isDigit(c))) {
        throw invalid(text);
      }
      // Integer part: [0-9]*, refused on overflow.
      int start = i;
      long whole = 0; // unsigned
      for (; i < s.length() && isDigit(s.charAt(i)); i++) {
        if (Long.compareUnsigned(whole, Long.divideUnsigned(TWO_TO_63, 10)) > 0) {
          throw invalid(text);
        }
        whole = whole * 10 + (s.charAt(i) - '0');
        if (Long.compareUnsigned(whole, TWO_TO_63) > 0) {
          throw invalid(text);
        }
      }
      boolean pre = i != start;
      // Fraction: (\.[0-9]*)?, digits past 63 bits of precision are dropped.
      boolean post = false;
      long fraction = 0;
      double scale = 1;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fractionStart = i;
        boolean overflow = false;
        for (; i < s.length() && isDigit(s.charAt(i)); i++) {
          if (overflow) {
            continue;
          }
          if (Long.compareUnsigned(fraction, Long.MAX_VALUE / 10) > 0) {
            overflow = true;
            continue;
          }
          long next = fraction * 10 + (s.charAt(i) - '0');
          if (Long.compareUnsigned(next, TWO_TO_63) > 0) {
            overflow = true;
            continue;
          }
          fraction = next;
          scale *= 10;
        }
        post = i != fractionStart;
      }
      if (!pre && !post) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      if (i == unitStart) {
        throw new IllegalArgumentException("time: missing unit in duration " + quote(text));
      }
      String unitText = s.substring(unitStart, i);
      Long unit = UNITS.get(unitText);
      if (unit == null) {
        throw new IllegalArgumentException(
            "time: unknown unit " + quote(unitText) + " in duration " + quote(text));
      }
      if (Long.compareUnsigned(whole, Long.divideUnsigned(TWO_TO_63, unit)) > 0) {
        throw invalid(text);
      }
      long value = whole * unit;
      if (fraction != 0) {
        // As Go: float64 keeps fractions of hours nanosecond-accurate (at most 3.6e12 here).
        value += (long) (unsignedToDouble(fraction) * ((double) unit / scale));
        if (Long.compareUnsigned(value, TWO_TO_63) > 0) {
          throw invalid(text);
        }
      }
      total += value;
      if (Long.compareUnsigned(total, TWO_TO_63) > 0) {
        throw invalid(text);
      }
    }
    if (negative) {
      return -total;
    }
    if (total == TWO_TO_63) {
      throw invalid(text);
    }
    return total;
  }

  /** {@link #parse} as a {@link java.time.Duration}. */
  public static java.time.Duration parseDuration(String text) {
    return java.time.Duration.ofNanos(parse(text));
  }

  /** {@link #parse} as a protobuf {@code Duration}, the API's type. */
  public static com.google.protobuf.Duration parseProto(String text) {
    return toProto(parse(text));
  }

  /** Go's {@code Duration.String()}. */
  public static String format(long nanos) {
    long u = nanos < 0 ? -nanos : nanos; // unsigned: Long.MIN_VALUE stays 1 << 63
    String sign = nanos < 0 ? "-" : "";
    if (Long.compareUnsigned(u, SECOND) < 0) {
      if (u == 0) {
        return "0s";
      }
      if (u < 1_000) {
        return sign + u + "ns";
      }
      if (u < 1_000_000) {
        return sign + withFraction(u, 1_000, 3) + "\u00b5s";
      }
      return sign + withFraction(u, 1_000_000, 6) + "ms";
    }
    String seconds = withFraction(Long.remainderUnsigned(u, 60 * SECOND), SECOND, 9);
    long minutes = Long.divideUnsigned(u, 60 * SECOND);
    StringBuilder out = new StringBuilder(sign);
    if (minutes > 0) {
      long hours = minutes / 60;
      if (hours > 0) {
        out.append(hours).append('h');
      }
      out.append(minutes % 60).append('m');
    }
    return out.append(seconds).append('s').toString();
  }

  public static String format(java.time.Duration duration) {
    return format(duration.toNanos());
  }

  public static String format(com.google.protobuf.Duration duration) {
    return format(toNanos(duration));
  }

  public static long toNanos(com.google.protobuf.Duration duration) {
    return duration.getSeconds() * SECOND + duration.getNanos();
  }

  public static com.google.protobuf.Duration toProto(long nanos) {
    // Java's / and % truncate toward zero, so seconds and nanos share a sign as protobuf requires.
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(nanos / SECOND).setNanos((int) (nanos % SECOND)).build();
  }

  public static com.google.protobuf.Duration toProto(java.time.Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
  }

  public static java.time.Duration toJava(com.google.protobuf.Duration duration) {
    return java.time.Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  /** {@code value / scale} with up to {@code digits} fraction digits, trailing zeros dropped. */
  private static String withFraction(long value, long scale, int digits) {
    long fraction = value % scale;
    String whole = Long.toString(value / scale);
    if (fraction == 0) {
      return whole;
    }
    String padded = String.format("%0" + digits + "d", fraction);
    int end = padded.length();
    while (padded.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + padded.substring(0, end);
  }

  private static double unsignedToDouble(long value) {
    return value >= 0 ? value : (double) (value >>> 1) * 2.0 + (value & 1);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("time: invalid duration " + quote(text));
  }

  /**
   * The time package's own quoting: printable ASCII as is (with {@code "} and {@code \} escaped),
   * every byte of anything else as {@code \xNN}.
   */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      if (cp >= 0x80 || cp < ' ') {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append(String.format("\\x%02x", b & 0xff));
        }
      } else {
        if (cp == '"' || cp == '\\') {
          out.append('\\');
        }
        out.appendCodePoint(cp);
      }
    });
    return out.append('"').toString();
  }
}
