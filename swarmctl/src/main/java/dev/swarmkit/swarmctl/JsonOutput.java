package dev.swarmkit.swarmctl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.swarmkit.swarmctl.text.GoJson;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --format} option of ls and inspect: the human layout, or the API objects for scripts in
 * protobuf's JSON mapping, written as Go's encoder writes JSON (escaping and indentation).
 */
public final class JsonOutput {
    @Option(names = "--format", paramLabel = "<table|json>", defaultValue = "table",
            description = "Output format: table (default) or json (the API objects as protobuf JSON)")
    String format;

    public boolean enabled() {
        if (!format.equals("table") && !format.equals("json")) {
            throw CliException.usage("--format must be table or json");
        }
        return format.equals("json");
    }

    public static void printOne(PrintWriter out, MessageOrBuilder message) {
        out.println(GoJson.write(json(message)));
    }

    /** A JSON array, one API object per element. */
    public static void printAll(PrintWriter out, List<? extends MessageOrBuilder> messages) {
        JsonArray array = new JsonArray();
        messages.forEach(m -> array.add(json(m)));
        out.println(GoJson.write(array));
    }

    private static JsonElement json(MessageOrBuilder message) {
        try {
            return JsonParser.parseString(JsonFormat.printer().print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot render " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
