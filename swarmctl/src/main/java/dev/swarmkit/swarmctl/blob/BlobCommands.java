package dev.swarmkit.swarmctl.blob;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Driver;
import dev.swarmkit.swarmctl.ApiObjects;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.text.GoStrings;
import dev.swarmkit.swarmctl.text.HumanUnits;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The create, inspect, ls and rm commands that configs and secrets share (upstream's swarmctl has
 * them twice). A {@link BlobGroup} subclasses each; help texts name the group through picocli's
 * {@code ${PARENT-COMMAND-NAME}}.
 */
public final class BlobCommands {
    private BlobCommands() {
    }

    /** A driver given by name on the command line; no name (or an empty one) means none. */
    public static Optional<Driver> driverNamed(String name) {
        return name == null || name.isEmpty() ? Optional.empty() : Optional.of(Driver.newBuilder().setName(name).build());
    }

    abstract static class BlobCommand<T extends Message> extends SwarmctlCommand {
        /** The group this command is in, config or secret, says what kind of blob it handles. */
        @SuppressWarnings("unchecked")
        BlobKind<T> kind() {
            return ((BlobGroup<T>) spec.parent().userObject()).kind();
        }

        /** Upstream's check of the one argument of create, inspect and rm. */
        String theArgument(List<String> args, String message) {
            if (args == null || args.size() != 1) {
                throw CliException.usage(message);
            }
            return args.get(0);
        }
    }

    /**
     * Subclasses declare a {@link TemplateDriverFlag} mixin after their own options: picocli lists options
     * (in the completion script) in declaration order, and upstream's order has --template-driver last.
     */
    public abstract static class Create<T extends Message> extends BlobCommand<T> {
        @Option(names = {"-f", "--file"}, paramLabel = "<path>",
                description = "Read the ${PARENT-COMMAND-NAME} from this file")
        String file;
        @OneArgument
        @Parameters(paramLabel = "<name>", arity = "0..*")
        List<String> args;

        protected abstract Optional<Driver> templating();

        /** A driver that supplies the value instead of a payload read here; none by default. */
        protected Optional<Driver> driver() {
            return Optional.empty();
        }

        @Override
        protected void run(Session session) throws IOException {
            String noun = kind().noun();
            String name = theArgument(args, "create command takes a unique " + noun + " name as an argument, "
                    + "and accepts " + noun + " data via stdin or via a file");
            Optional<Driver> driver = driver();
            byte[] data = new byte[0];
            if (file != null) {
                data = read(Path.of(file));
            } else if (driver.isEmpty()) {
                data = session.environment().in().readAllBytes();
            }
            T created = kind().create().apply(session, new BlobSpec(Annotations.newBuilder().setName(name).build(),
                    ByteString.copyFrom(data), templating(), driver));
            session.out().println(ApiObjects.id(created));
        }

        private static byte[] read(Path path) {
            try {
                return Files.readAllBytes(path);
            } catch (IOException e) {
                throw new CliException("Error reading from file '" + path + "': " + e.getMessage());
            }
        }
    }

    public abstract static class Inspect<T extends Message> extends BlobCommand<T> {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<${PARENT-COMMAND-NAME}>", arity = "0..*")
        List<String> args;

        /** What the summary is followed by; nothing by default. */
        protected void printAfterSummary(Session session, T blob) {
        }

        @Override
        protected void run(Session session) {
            String input = theArgument(args, "inspect command takes a single " + kind().noun() + " ID or name");
            T blob = kind().lookup().apply(session, input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), blob);
                return;
            }
            Annotations annotations = ApiObjects.annotations(blob);
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            w.printf("ID\t: %s\n", ApiObjects.id(blob));
            w.printf("Name\t: %s\n", annotations.getName());
            if (annotations.getLabelsCount() > 0) {
                w.println("Labels\t");
                new TreeMap<>(annotations.getLabelsMap()).forEach((k, v) -> w.printf("  %s\t: %s\n", k, v));
            }
            w.printf("Created\t: %s\n", GoStrings.timestamp(ApiObjects.meta(blob).getCreatedAt()));
            w.flush();
            session.out().print(out);
            printAfterSummary(session, blob);
        }
    }

    /** Newest first. */
    public abstract static class Ls<T extends Message> extends BlobCommand<T> {
        @Mixin
        ListOutput output;

        /** Columns between Name and Created, with {@link #extraCells}; none by default. */
        protected List<String> extraColumns() {
            return List.of();
        }

        protected List<Object> extraCells(T blob) {
            return List.of();
        }

        @Override
        protected void run(Session session) {
            output.print(session, () -> kind().list().apply(session).stream()
                    .sorted(Comparator.comparing((T b) -> ApiObjects.meta(b).getCreatedAt().getSeconds())
                            .thenComparing(b -> ApiObjects.meta(b).getCreatedAt().getNanos()).reversed())
                    .toList(), out -> new TabWriter(out, 0, 4), (w, blobs) -> table(w, blobs, session));
        }

        private void table(TabWriter w, List<T> blobs, Session session) {
            List<String> columns = new ArrayList<>(List.of("ID", "Name"));
            columns.addAll(extraColumns());
            columns.add("Created");
            Tables.header(w, columns.toArray(String[]::new));
            for (T b : blobs) {
                List<Object> cells = new ArrayList<>(List.of(ApiObjects.id(b), ApiObjects.annotations(b).getName()));
                cells.addAll(extraCells(b));
                cells.add(HumanUnits.ago(ApiObjects.meta(b).getCreatedAt(), session.now()));
                w.row(cells.toArray());
            }
        }
    }

    public abstract static class Rm<T extends Message> extends BlobCommand<T> {
        @OneArgument
        @Parameters(paramLabel = "<${PARENT-COMMAND-NAME}>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = theArgument(args, "remove command takes a single " + kind().noun() + " ID or name");
            String id = ApiObjects.id(kind().lookup().apply(session, input));
            kind().remove().accept(session, id);
            session.out().println(id);
        }
    }
}
