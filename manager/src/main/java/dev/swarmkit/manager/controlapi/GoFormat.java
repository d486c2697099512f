package dev.swarmkit.manager.controlapi;

import java.math.BigDecimal;

/** Number formatting as Go prints it, so messages read as upstream's (durations: GoDurations). */
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
}
