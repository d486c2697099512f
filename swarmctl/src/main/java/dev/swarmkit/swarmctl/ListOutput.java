package dev.swarmkit.swarmctl;

import com.google.protobuf.MessageOrBuilder;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options and the flow that every ls command shares, as upstream's: no arguments; then the listed
 * objects as JSON (--format json), only their IDs (-q), or the command's table. A mixin rather than a
 * base class so that a command's own options (task ls -a) stay ahead of these, as the completion
 * script has always listed them.
 */
public final class ListOutput {
    @Option(names = {"-q", "--quiet"}, description = "Print only ${PARENT-COMMAND-NAME} IDs")
    boolean quiet;
    @Mixin
    JsonOutput format;
    @Parameters(hidden = true)
    List<String> args;

    /** {@code list} is called only once the arguments are checked; {@code table} writes header and rows. */
    public <T extends MessageOrBuilder> void print(Session session, Supplier<List<T>> list,
            BiConsumer<TabWriter, List<T>> table) {
        print(session, list, TabWriter::forList, table);
    }

    /** With the table's own tabwriter settings (upstream's config and secret ls differ from the others). */
    public <T extends MessageOrBuilder> void print(Session session, Supplier<List<T>> list,
            Function<StringBuilder, TabWriter> tabWriter, BiConsumer<TabWriter, List<T>> table) {
        SwarmctlCommand.none(args, "ls command takes no arguments");
        List<T> objects = list.get();
        if (format.enabled()) {
            JsonOutput.printAll(session.out(), objects);
            return;
        }
        if (quiet) {
            objects.forEach(o -> session.out().println(ApiObjects.id(o)));
            return;
        }
        StringBuilder out = new StringBuilder();
        TabWriter w = tabWriter.apply(out);
        table.accept(w, objects);
        w.flush();
        session.out().print(out);
    }
}
