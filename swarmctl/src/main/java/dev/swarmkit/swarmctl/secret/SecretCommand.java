package dev.swarmkit.swarmctl.secret;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretSpec;
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

@Command(name = "secret", description = "Create, inspect and remove secrets.",
        subcommands = {SecretCommand.Create.class, SecretCommand.Inspect.class, SecretCommand.Ls.class,
            SecretCommand.Rm.class})
public final class SecretCommand extends CommandGroup {

    @Command(name = "create", description = "Create a secret from standard input or a file; prints its ID.")
    static final class Create extends SwarmctlCommand {
        @Option(names = {"-f", "--file"}, paramLabel = "<path>", description = "Read the secret from this file")
        String file;
        @Option(names = {"-d", "--driver"}, paramLabel = "<name>",
                description = "Let this secret driver supply the value instead")
        String driver;
        @Option(names = "--template-driver", paramLabel = "<name>",
                description = "Treat the secret as a template for this driver (golang), expanded for each task")
        String templateDriver;
        @OneArgument
        @Parameters(paramLabel = "<name>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) throws IOException {
            if (args == null || args.size() != 1) {
                throw CliException.usage("create command takes a unique secret name as an argument, "
                        + "and accepts secret data via stdin or via a file");
            }
            byte[] data = new byte[0];
            if (file != null) {
                data = read(Path.of(file));
            } else if (driver == null || driver.isEmpty()) {
                data = session.environment().in().readAllBytes();
            }
            SecretSpec.Builder spec = SecretSpec.newBuilder().setData(ByteString.copyFrom(data));
            spec.getAnnotationsBuilder().setName(args.get(0));
            if (templateDriver != null && !templateDriver.isEmpty()) {
                spec.setTemplating(Driver.newBuilder().setName(templateDriver));
            }
            if (driver != null && !driver.isEmpty()) {
                spec.setDriver(Driver.newBuilder().setName(driver));
            }
            Secret created = session.control().createSecret(CreateSecretRequest.newBuilder().setSpec(spec).build())
                    .getSecret();
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

    @Command(name = "inspect", description = "Show a secret's metadata (never its value).")
    static final class Inspect extends SwarmctlCommand {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<secret>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            if (args == null || args.size() != 1) {
                throw CliException.usage("inspect command takes a single secret ID or name");
            }
            Secret secret = session.lookup().secret(args.get(0));
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), secret);
                return;
            }
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            w.printf("ID\t: %s\n", secret.getId());
            w.printf("Name\t: %s\n", secret.getSpec().getAnnotations().getName());
            if (secret.getSpec().getAnnotations().getLabelsCount() > 0) {
                w.println("Labels\t");
                new TreeMap<>(secret.getSpec().getAnnotations().getLabelsMap())
                        .forEach((k, v) -> w.printf("  %s\t: %s\n", k, v));
            }
            w.printf("Created\t: %s\n", GoStrings.timestamp(secret.getMeta().getCreatedAt()));
            w.flush();
            session.out().print(out);
        }
    }

    @Command(name = "ls", description = "List secrets, newest first.")
    static final class Ls extends SwarmctlCommand {
        @Option(names = {"-q", "--quiet"}, description = "Print only secret IDs")
        boolean quiet;
        @Mixin
        JsonOutput format;
        @Parameters(hidden = true)
        List<String> args;

        @Override
        protected void run(Session session) {
            none(args, "ls command takes no arguments");
            List<Secret> secrets = session.control().listSecrets(ListSecretsRequest.getDefaultInstance())
                    .getSecretsList().stream()
                    .sorted(Comparator.comparing((Secret s) -> s.getMeta().getCreatedAt().getSeconds())
                            .thenComparing(s -> s.getMeta().getCreatedAt().getNanos()).reversed())
                    .toList();
            if (format.enabled()) {
                JsonOutput.printAll(session.out(), secrets);
                return;
            }
            if (quiet) {
                secrets.forEach(s -> session.out().println(s.getId()));
                return;
            }
            StringBuilder out = new StringBuilder();
            TabWriter w = new TabWriter(out, 0, 4);
            Tables.header(w, "ID", "Name", "Driver", "Created");
            for (Secret s : secrets) {
                w.row(s.getId(), s.getSpec().getAnnotations().getName(),
                        s.getSpec().hasDriver() ? s.getSpec().getDriver().getName() : "",
                        HumanUnits.ago(s.getMeta().getCreatedAt(), session.now()));
            }
            w.flush();
            session.out().print(out);
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a secret.")
    static final class Rm extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<secret>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            if (args == null || args.size() != 1) {
                throw CliException.usage("remove command takes a single secret ID or name");
            }
            Secret secret = session.lookup().secret(args.get(0));
            session.control().removeSecret(RemoveSecretRequest.newBuilder().setSecretId(secret.getId()).build());
            session.out().println(secret.getId());
        }
    }
}
