package dev.swarmkit.swarmctl.text;

import dev.swarmkit.api.util.GoJsonStrings;

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
        return GoJsonStrings.quote(s);
    }

    private static void quote(String s, StringBuilder out) {
        GoJsonStrings.quote(s, out);
    }
}
