package dev.swarmkit.swarmctl.blob;

import dev.swarmkit.api.Driver;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --template-driver} option of config and secret create. */
public final class TemplateDriverFlag {
    @Option(names = "--template-driver", paramLabel = "<name>",
            description = "Treat the ${PARENT-COMMAND-NAME} as a template for this driver (golang), "
                    + "expanded for each task")
    String name;

    public Optional<Driver> driver() {
        return BlobCommands.driverNamed(name);
    }
}
