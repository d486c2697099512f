package dev.swarmkit.swarmctl.config;

import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.RemoveConfigRequest;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.blob.BlobCommands;
import dev.swarmkit.swarmctl.blob.BlobGroup;
import dev.swarmkit.swarmctl.blob.BlobKind;
import dev.swarmkit.swarmctl.blob.BlobSpec;
import dev.swarmkit.swarmctl.blob.TemplateDriverFlag;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", description = "Create, inspect and remove configs.",
        subcommands = {ConfigCommand.Create.class, ConfigCommand.Inspect.class, ConfigCommand.Ls.class,
            ConfigCommand.Rm.class})
public final class ConfigCommand extends BlobGroup<Config> {

    public ConfigCommand() {
        super(new BlobKind<>("config", (session, input) -> session.lookup().config(input),
                session -> session.control().listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList(),
                ConfigCommand::create,
                (session, id) -> session.control().removeConfig(RemoveConfigRequest.newBuilder().setConfigId(id).build())));
    }

    /** Configs have no driver: their create command has no flag for one. */
    private static Config create(Session session, BlobSpec blob) {
        ConfigSpec.Builder spec = ConfigSpec.newBuilder().setAnnotations(blob.annotations()).setData(blob.data());
        blob.templating().ifPresent(spec::setTemplating);
        return session.control().createConfig(CreateConfigRequest.newBuilder().setSpec(spec).build()).getConfig();
    }

    @Command(name = "create", description = "Create a config from standard input or a file; prints its ID.")
    static final class Create extends BlobCommands.Create<Config> {
        @Mixin
        TemplateDriverFlag templating;

        @Override
        protected Optional<Driver> templating() {
            return templating.driver();
        }
    }

    @Command(name = "inspect", description = "Show a config and its payload.")
    static final class Inspect extends BlobCommands.Inspect<Config> {
        @Override
        protected void printAfterSummary(Session session, Config config) {
            // Upstream prints the payload through a misused Print call; this prints what it meant to.
            session.out().print("Payload:\n\n");
            session.out().println(config.getSpec().getData().toStringUtf8());
        }
    }

    @Command(name = "ls", description = "List configs, newest first.")
    static final class Ls extends BlobCommands.Ls<Config> {
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a config.")
    static final class Rm extends BlobCommands.Rm<Config> {
    }
}
