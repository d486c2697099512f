package dev.swarmkit.swarmctl.text;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Small renderings that follow Go's fmt verbs, so output matches upstream swarmctl. */
public final class GoStrings {
    private static final DateTimeFormatter RFC3339_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private GoStrings() {
    }

    /** Go's {@code %q}: a double-quoted string with Go escape sequences. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case 7 -> b.append("\\a");
                case 8 -> b.append("\\b");
                case 12 -> b.append("\\f");
                case 11 -> b.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        b.append(String.format("\\x%02x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    /** Go's {@code %v} of a string slice: "[a b c]". */
    public static String slice(List<String> values) {
        return "[" + String.join(" ", values) + "]";
    }

    /** gogo's {@code TimestampString}: RFC 3339 in UTC with trailing zeros of the fraction dropped. */
    public static String timestamp(Timestamp ts) {
        Instant instant = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
        String fraction = "";
        if (ts.getNanos() != 0) {
            fraction = "." + String.format("%09d", ts.getNanos()).replaceAll("0+$", "");
        }
        return RFC3339_SECONDS.format(instant) + fraction + "Z";
    }
}
