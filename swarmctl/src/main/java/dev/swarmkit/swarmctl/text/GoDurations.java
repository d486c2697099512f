package dev.swarmkit.swarmctl.text;

import com.google.protobuf.Duration;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/** Go's {@code time.Duration} text forms: {@code String()} ("2160h0m0s", "1.5ms") and {@code ParseDuration}. */
public final class GoDurations {
    private static final long SECOND = 1_000_000_000L;
    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", SECOND, "m", 60 * SECOND, "h", 3600 * SECOND);

    private GoDurations() {
    }

    public static String format(Duration duration) {
        return format(toNanos(duration));
    }

    public static long toNanos(Duration duration) {
        return duration.getSeconds() * SECOND + duration.getNanos();
    }

    public static Duration toProto(long nanos) {
        return Duration.newBuilder().setSeconds(nanos / SECOND).setNanos((int) (nanos % SECOND)).build();
    }

    public static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        // Long.MIN_VALUE has no positive counterpart; unsigned arithmetic handles it like Go does.
        BigInteger u = BigInteger.valueOf(nanos).abs();
        if (u.compareTo(BigInteger.valueOf(SECOND)) < 0) {
            long v = u.longValue();
            if (v < 1_000) {
                return sign + v + "ns";
            }
            if (v < 1_000_000) {
                return sign + withFraction(v, 3) + "µs";
            }
            return sign + withFraction(v, 6) + "ms";
        }
        BigInteger[] secondsAndFraction = u.divideAndRemainder(BigInteger.valueOf(SECOND));
        long seconds = secondsAndFraction[0].longValue();
        String fraction = fraction(secondsAndFraction[1].longValue(), 9);
        StringBuilder text = new StringBuilder(sign);
        long minutes = seconds / 60;
        long hours = minutes / 60;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes % 60).append('m');
        }
        return text.append(seconds % 60).append(fraction).append('s').toString();
    }

    private static String withFraction(long value, int precision) {
        long scale = (long) Math.pow(10, precision);
        return (value / scale) + fraction(value % scale, precision);
    }

    private static String fraction(long remainder, int precision) {
        if (remainder == 0) {
            return "";
        }
        String digits = String.format("%0" + precision + "d", remainder).replaceAll("0+$", "");
        return "." + digits;
    }

    /** Parses "300ms", "-1.5h", "2h45m" like Go's {@code time.ParseDuration}, returning nanoseconds. */
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
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numberStart, i);
            if (number.isEmpty() || number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("time: missing unit in duration " + GoStrings.quote(text));
            }
            Long scale = UNITS.get(unit);
            if (scale == null) {
                throw new IllegalArgumentException("time: unknown unit " + GoStrings.quote(unit)
                        + " in duration " + GoStrings.quote(text));
            }
            String normalized = number.startsWith(".") ? "0" + number : number;
            normalized = normalized.endsWith(".") ? normalized + "0" : normalized;
            total = total.add(new BigDecimal(normalized).multiply(BigDecimal.valueOf(scale)));
        }
        if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw invalid(text);
        }
        long nanos = total.longValue();
        return negative ? -nanos : nanos;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration " + GoStrings.quote(text));
    }
}
