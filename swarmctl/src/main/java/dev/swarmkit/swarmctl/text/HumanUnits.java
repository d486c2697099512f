package dev.swarmkit.swarmctl.text;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human-friendly numbers as upstream prints and parses them: relative times (go-humanize
 * {@code Time}), IEC byte sizes (go-humanize {@code IBytes}) and memory sizes (go-units
 * {@code RAMInBytes}).
 */
public final class HumanUnits {
    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final long MONTH = 30 * DAY;
    private static final long YEAR = 12 * MONTH;
    private static final long LONG_TIME = 37 * YEAR;

    /** Upper bound (exclusive), format and divisor, in go-humanize's order. */
    private record Magnitude(long below, String format, long divideBy) {
    }

    private static final Magnitude[] MAGNITUDES = {
        new Magnitude(SECOND, "now", SECOND),
        new Magnitude(2 * SECOND, "1 second %s", 1),
        new Magnitude(MINUTE, "%d seconds %s", SECOND),
        new Magnitude(2 * MINUTE, "1 minute %s", 1),
        new Magnitude(HOUR, "%d minutes %s", MINUTE),
        new Magnitude(2 * HOUR, "1 hour %s", 1),
        new Magnitude(DAY, "%d hours %s", HOUR),
        new Magnitude(2 * DAY, "1 day %s", 1),
        new Magnitude(WEEK, "%d days %s", DAY),
        new Magnitude(2 * WEEK, "1 week %s", 1),
        new Magnitude(MONTH, "%d weeks %s", WEEK),
        new Magnitude(2 * MONTH, "1 month %s", 1),
        new Magnitude(YEAR, "%d months %s", MONTH),
        new Magnitude(18 * MONTH, "1 year %s", 1),
        new Magnitude(2 * YEAR, "2 years %s", 1),
        new Magnitude(LONG_TIME, "%d years %s", YEAR),
        new Magnitude(Long.MAX_VALUE, "a long while %s", 1),
    };

    private static final Pattern RAM_SIZE = Pattern.compile("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    private HumanUnits() {
    }

    /** "15 seconds ago", "now", "3 weeks from now". */
    public static String ago(Timestamp then, Instant now) {
        Instant instant = Instant.ofEpochSecond(then.getSeconds(), then.getNanos());
        long diff;
        String label;
        if (instant.isAfter(now)) {
            label = "from now";
            diff = nanosBetween(now, instant);
        } else {
            label = "ago";
            diff = nanosBetween(instant, now);
        }
        Magnitude magnitude = MAGNITUDES[MAGNITUDES.length - 1];
        for (Magnitude m : MAGNITUDES) {
            if (m.below() > diff) {
                magnitude = m;
                break;
            }
        }
        String text = magnitude.format();
        if (text.contains("%d")) {
            text = text.replace("%d", Long.toString(diff / magnitude.divideBy()));
        }
        return text.replace("%s", label);
    }

    private static long nanosBetween(Instant from, Instant to) {
        try {
            return java.time.Duration.between(from, to).toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /** "24 GiB", "512 MiB", "1.5 KiB", "7 B". */
    public static String iBytes(long bytes) {
        if (bytes >= 0 && bytes < 10) {
            return bytes + " B";
        }
        String[] sizes = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes < 0 ? Math.pow(2, 64) + bytes : bytes; // Go converts to uint64
        int exponent = (int) Math.floor(Math.log(value) / Math.log(1024));
        double scaled = Math.floor(value / Math.pow(1024, exponent) * 10 + 0.5) / 10;
        if (scaled < 10) {
            return String.format(Locale.ROOT, "%.1f %s", scaled, sizes[exponent]);
        }
        // Go rounds halves to even when printing with %.0f.
        return String.format(Locale.ROOT, "%d %s", (long) Math.rint(scaled), sizes[exponent]);
    }

    /** Parses "512m", "1.5GiB", "100" into bytes with binary multipliers. */
    public static long ramInBytes(String size) {
        Matcher m = RAM_SIZE.matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size: '" + size + "'");
        }
        double value;
        try {
            value = Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size: '" + size + "'");
        }
        String unit = m.group(3) == null ? "" : m.group(3).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            case "p" -> 1L << 50;
            default -> 1L;
        };
        return (long) (value * multiplier);
    }
}
