package dev.swarmkit.swarmctl;

import dev.swarmkit.api.Driver;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --log-driver} and {@code --log-opt}, shared by service and cluster commands. */
public final class LogDriverFlags {
    @Option(names = "--log-driver", paramLabel = "<name>",
            description = "Log driver for the tasks; on update, leaving it out clears the driver (as upstream)")
    String name;

    @Option(names = "--log-opt", split = ",", converter = CsvField.class, paramLabel = "<key=value>",
            description = "Log driver option (repeatable)")
    List<String> options;

    /**
     * The driver when {@code --log-driver} was given, else empty: upstream then sets no driver at all,
     * so an update without the flag clears the one set before. Options without '=' get an empty value.
     */
    public Optional<Driver> parse() {
        if (name == null) {
            if (options != null) {
                throw CliException.usage("--log-opt needs --log-driver");
            }
            return Optional.empty();
        }
        Driver.Builder driver = Driver.newBuilder().setName(name);
        if (options != null) {
            for (String option : options) {
                String[] kv = option.split("=", 2);
                driver.putOptions(kv[0], kv.length == 2 ? kv[1] : "");
            }
        }
        return Optional.of(driver.build());
    }
}
