package dev.swarmkit.swarmctl;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --format} option of ls and inspect: the human layout, or protobuf JSON for scripts. */
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
        out.println(json(message));
    }

    /** A JSON array, one API object per element. */
    public static void printAll(PrintWriter out, List<? extends MessageOrBuilder> messages) {
        if (messages.isEmpty()) {
            out.println("[]");
            return;
        }
        out.println("[");
        for (int i = 0; i < messages.size(); i++) {
            String element = json(messages.get(i)).replace("\n", "\n  ");
            out.println("  " + element + (i + 1 < messages.size() ? "," : ""));
        }
        out.println("]");
    }

    private static String json(MessageOrBuilder message) {
        try {
            return JsonFormat.printer().print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot render " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
