package dev.swarmkit.swarmctl.secret;

import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.blob.BlobCommands;
import dev.swarmkit.swarmctl.blob.BlobGroup;
import dev.swarmkit.swarmctl.blob.BlobKind;
import dev.swarmkit.swarmctl.blob.BlobSpec;
import dev.swarmkit.swarmctl.blob.TemplateDriverFlag;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "secret", description = "Create, inspect and remove secrets.",
        subcommands = {SecretCommand.Create.class, SecretCommand.Inspect.class, SecretCommand.Ls.class,
            SecretCommand.Rm.class})
public final class SecretCommand extends BlobGroup<Secret> {

    public SecretCommand() {
        super(new BlobKind<>("secret", (session, input) -> session.lookup().secret(input),
                session -> session.control().listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList(),
                SecretCommand::create,
                (session, id) -> session.control().removeSecret(RemoveSecretRequest.newBuilder().setSecretId(id).build())));
    }

    private static Secret create(Session session, BlobSpec blob) {
        SecretSpec.Builder spec = SecretSpec.newBuilder().setAnnotations(blob.annotations()).setData(blob.data());
        blob.templating().ifPresent(spec::setTemplating);
        blob.driver().ifPresent(spec::setDriver);
        return session.control().createSecret(CreateSecretRequest.newBuilder().setSpec(spec).build()).getSecret();
    }

    @Command(name = "create", description = "Create a secret from standard input or a file; prints its ID.")
    static final class Create extends BlobCommands.Create<Secret> {
        @Option(names = {"-d", "--driver"}, paramLabel = "<name>",
                description = "Let this secret driver supply the value instead")
        String driver;
        @Mixin
        TemplateDriverFlag templating;

        @Override
        protected Optional<Driver> templating() {
            return templating.driver();
        }

        @Override
        protected Optional<Driver> driver() {
            return BlobCommands.driverNamed(driver);
        }
    }

    @Command(name = "inspect", description = "Show a secret's metadata (never its value).")
    static final class Inspect extends BlobCommands.Inspect<Secret> {
    }

    @Command(name = "ls", description = "List secrets, newest first.")
    static final class Ls extends BlobCommands.Ls<Secret> {
        @Override
        protected List<String> extraColumns() {
            return List.of("Driver");
        }

        @Override
        protected List<Object> extraCells(Secret s) {
            return List.of(s.getSpec().hasDriver() ? s.getSpec().getDriver().getName() : "");
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a secret.")
    static final class Rm extends BlobCommands.Rm<Secret> {
    }
}
