package dev.swarmkit.manager.controlapi;

import java.math.BigDecimal;

/** Number and duration formatting as Go prints them, so messages read as upstream's. */
final class GoFormat {

  private GoFormat() {}

  /** Go's %g for a float64: shortest representation, exponent form below 1e-4 or from 1e6 on. */
  static String g(double value) {
    if (value == 0) {
      return "0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    int exponent = decimal.precision() - decimal.scale() - 1;
    if (exponent >= -4 && exponent < 6) {
      return decimal.toPlainString();
    }
    String digits = decimal.unscaledValue().abs().toString();
    String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
        + String.format("%02d", Math.abs(exponent));
  }

  /** Go's time.Duration String() for whole hours/minutes/seconds/milliseconds ("1h0m0s", "1ms"). */
  static String duration(java.time.Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
      long nanos = d.toNanos();
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      if (nanos % 1_000 == 0) {
        return nanos / 1_000 + "µs";
      }
      return nanos + "ns";
    }
    long hours = d.toHours();
    long minutes = d.toMinutesPart();
    BigDecimal seconds = BigDecimal.valueOf(d.toSecondsPart())
        .add(BigDecimal.valueOf(d.toNanosPart(), 9)).stripTrailingZeros();
    StringBuilder out = new StringBuilder();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(seconds.toPlainString()).append('s').toString();
  }
}
