package dev.swarmkit.swarmctl.config;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.RemoveConfigRequest;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.JsonOutput;
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
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "config", description = "Create, inspect and remove configs.",
        subcommands = {ConfigCommand.Create.class, ConfigCommand.Inspect.class, ConfigCommand.Ls.class,
            ConfigCommand.Rm.class})
public final class ConfigCommand extends CommandGroup {

    @Command(name = "create", description = "Create a config from standard input or a file; prints its ID.")
    static final class Create extends SwarmctlCommand {
        @Option(names = {"-f", "--file"}, paramLabel = "<path>", description = "Read the config from this file")
        String file;
        @Option(names = "--template-driver", paramLabel = "<name>",
                description = "Treat the config as a template for this driver (golang), expanded for each task")
        String templateDriver;
        @OneArgument
        @Parameters(paramLabel = "<name>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) throws IOException {
            if (args == null || args.size() != 1) {
                throw CliException.usage("create command takes a unique config name as an argument, "
                        + "and accepts config data via stdin or via a file");
            }
            byte[] data = new byte[0];
            if (file != null) {
                data = read(Path.of(file));
            } else {
                data = session.environment().in().readAllBytes();
            }
            ConfigSpec.Builder spec = ConfigSpec.newBuilder().setData(ByteString.copyFrom(data));
            spec.getAnnotationsBuilder().setName(args.get(0));
            if (templateDriver != null && !templateDriver.isEmpty()) {
                spec.setTemplating(Driver.newBuilder().setName(templateDriver));
            }
            Config created = session.control().createConfig(CreateConfigRequest.newBuilder().setSpec(spec).build())
                    .getConfig();
            session.out().println(created.getId());
        }
    }

    static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new CliException("Error reading from file '" + path + "': " + e.getMessage());
        }
    }

    @Command(name = "inspect", description = "Show a config and its payload.")
    static final class Inspect extends SwarmctlCommand {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<config>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            if (args == null || args.size() != 1) {
                throw CliException.usage("inspect command takes a single config ID or name");
            }
            Config config = session.lookup().config(args.get(0));
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), config);
                return;
            }
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            w.printf("ID\t: %s\n", config.getId());
            w.printf("Name\t: %s\n", config.getSpec().getAnnotations().getName());
            if (config.getSpec().getAnnotations().getLabelsCount() > 0) {
                w.println("Labels\t");
                new TreeMap<>(config.getSpec().getAnnotations().getLabelsMap())
                        .forEach((k, v) -> w.printf("  %s\t: %s\n", k, v));
            }
            w.printf("Created\t: %s\n", GoStrings.timestamp(config.getMeta().getCreatedAt()));
            w.flush();
            session.out().print(out);
            // Upstream prints the payload through a misused Print call; this prints what it meant to.
            session.out().print("Payload:\n\n");
            session.out().println(config.getSpec().getData().toStringUtf8());
        }
    }

    @Command(name = "ls", description = "List configs, newest first.")
    static final class Ls extends SwarmctlCommand {
        @Option(names = {"-q", "--quiet"}, description = "Print only config IDs")
        boolean quiet;
        @Mixin
        JsonOutput format;
        @Parameters(hidden = true)
        List<String> args;

        @Override
        protected void run(Session session) {
            none(args, "ls command takes no arguments");
            List<Config> configs = session.control().listConfigs(ListConfigsRequest.getDefaultInstance())
                    .getConfigsList().stream()
                    .sorted(Comparator.comparing((Config s) -> s.getMeta().getCreatedAt().getSeconds())
                            .thenComparing(s -> s.getMeta().getCreatedAt().getNanos()).reversed())
                    .toList();
            if (format.enabled()) {
                JsonOutput.printAll(session.out(), configs);
                return;
            }
            if (quiet) {
                configs.forEach(s -> session.out().println(s.getId()));
                return;
            }
            StringBuilder out = new StringBuilder();
            TabWriter w = new TabWriter(out, 0, 4);
            Tables.header(w, "ID", "Name", "Created");
            for (Config s : configs) {
                w.row(s.getId(), s.getSpec().getAnnotations().getName(),
                        HumanUnits.ago(s.getMeta().getCreatedAt(), session.now()));
            }
            w.flush();
            session.out().print(out);
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a config.")
    static final class Rm extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<config>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            if (args == null || args.size() != 1) {
                throw CliException.usage("remove command takes a single config ID or name");
            }
            Config config = session.lookup().config(args.get(0));
            session.control().removeConfig(RemoveConfigRequest.newBuilder().setConfigId(config.getId()).build());
            session.out().println(config.getId());
        }
    }
}
