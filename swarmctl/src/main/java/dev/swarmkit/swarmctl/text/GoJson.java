package dev.swarmkit.swarmctl.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON written as Go's {@code json.MarshalIndent(v, "", "  ")} writes it: {@code <}, {@code >},
 * {@code &}, U+2028 and U+2029 escaped, {@code =} and {@code '} left alone, empty objects and
 * arrays as {@code {}} and {@code []}.
 */
public final class GoJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJson() {
    }

    /** Re-renders a JSON document (e.g. protobuf's JsonFormat output) in Go's layout and escaping. */
    public static String indent(String json) {
        return write(JsonParser.parseString(json));
    }

    public static String write(JsonElement element) {
        StringBuilder out = new StringBuilder();
        write(element, out, "");
        return out.toString();
    }

    private static void write(JsonElement element, StringBuilder out, String indent) {
        if (element.isJsonObject()) {
            JsonObject object = element.getAsJsonObject();
            if (object.size() == 0) {
                out.append("{}");
                return;
            }
            out.append('{');
            String inner = indent + "  ";
            Iterator<Map.Entry<String, JsonElement>> entries = object.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<String, JsonElement> entry = entries.next();
                out.append('\n').append(inner);
                quote(entry.getKey(), out);
                out.append(": ");
                write(entry.getValue(), out, inner);
                if (entries.hasNext()) {
                    out.append(',');
                }
            }
            out.append('\n').append(indent).append('}');
        } else if (element.isJsonArray()) {
            JsonArray array = element.getAsJsonArray();
            if (array.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            String inner = indent + "  ";
            for (int i = 0; i < array.size(); i++) {
                out.append('\n').append(inner);
                write(array.get(i), out, inner);
                if (i + 1 < array.size()) {
                    out.append(',');
                }
            }
            out.append('\n').append(indent).append(']');
        } else if (element.isJsonNull()) {
            out.append("null");
        } else if (element.getAsJsonPrimitive().isString()) {
            quote(element.getAsString(), out);
        } else {
            out.append(element.getAsString());
        }
    }

    /** Go's encoding/json string escaping with HTML escaping on (its default). */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder();
        quote(s, out);
        return out.toString();
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '<', '>', '&', '\u2028', '\u2029' -> unicode(c, out);
                default -> {
                    if (c < 0x20) {
                        unicode(c, out);
                    } else if (Character.isSurrogate(c)) {
                        boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1));
                        if (pair) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            // Go writes invalid UTF-8 as the replacement character.
                            out.append("\\ufffd");
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicode(char c, StringBuilder out) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
