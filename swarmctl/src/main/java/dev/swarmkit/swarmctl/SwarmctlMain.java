package dev.swarmkit.swarmctl;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import io.grpc.StatusRuntimeException;
import java.io.FileNotFoundException;
import java.lang.reflect.Field;
import picocli.CommandLine;

/** Entry point of the swarmctl command line. */
public final class SwarmctlMain {
    private SwarmctlMain() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), args));
    }

    /** Exit status of a failed command: upstream's swarmctl exits with -1, i.e. 255. */
    public static final int FAILURE = 255;

    /** Runs one command line and returns its exit status: 0, or {@link #FAILURE} after printing "Error: ...". */
    public static int run(Environment environment, String... args) {
        if (CommandGroups.talksToTheManager(args)) {
            UnixSocketChannels.prepareTls();
        }
        Swarmctl root = new Swarmctl(environment);
        CommandLine commandLine = new CommandLine(root);
        // Before the settings below: picocli applies them only to the subcommands present.
        for (Class<?> group : CommandGroups.needed(args)) {
            commandLine.addSubcommand(group);
        }
        commandLine.setOut(environment.out())
                .setErr(environment.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                // As pflag: a flag that takes a value takes the next word, even "-h" (--args -h).
                .setAllowOptionsAsOptionParameters(true)
                .setParameterExceptionHandler((ex, ignored) -> {
                    environment.err().println("Error: " + UsageErrors.message(ex));
                    environment.err().println(UsageErrors.hint(ex.getCommandLine()));
                    return FAILURE;
                })
                .setExecutionExceptionHandler((ex, failed, parseResult) -> {
                    environment.err().println("Error: " + messageOf(ex, root.socketPath()));
                    if (ex instanceof CliException cli && cli.isUsageError()) {
                        environment.err().println(UsageErrors.hint(failed));
                    }
                    return FAILURE;
                });
        everyCommand(commandLine);
        try {
            return commandLine.execute(args);
        } finally {
            root.close();
            environment.out().flush();
            environment.err().flush();
        }
    }

    /**
     * Every command gets -h/--help and a short synopsis (its options are listed below it anyway) in
     * which a single argument reads {@code <service>}, not {@code [<service>...]}.
     */
    private static void everyCommand(CommandLine command) {
        command.getCommandSpec().mixinStandardHelpOptions(true);
        command.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                help -> synopsis(help));
        command.getSubcommands().values().stream().distinct().forEach(SwarmctlMain::everyCommand);
    }

    private static String synopsis(CommandLine.Help help) {
        String synopsis = help.synopsis(help.synopsisHeadingLength());
        for (CommandLine.Model.PositionalParamSpec p : help.commandSpec().positionalParameters()) {
            if (p.userObject() instanceof Field field && field.isAnnotationPresent(OneArgument.class)) {
                synopsis = synopsis.replace("[" + p.paramLabel() + "...]", p.paramLabel());
            }
        }
        return synopsis;
    }

    /** The server's own words for gRPC failures (as upstream prints them), else the exception's message. */
    static String messageOf(Throwable ex, String socketPath) {
        if (ex instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            // Statuses sent by the server carry no cause; a cause means the transport itself failed.
            if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
                return "cannot connect to the manager at " + socketPath + ": " + transportProblem(status.getCause(), socketPath)
                        + "; is swarmd running as a manager with --listen-control-api " + socketPath
                        + "? (choose the socket with -s or SWARM_SOCKET)";
            }
            String description = status.getDescription();
            return description == null || description.isEmpty() ? status.getCode().name() : description;
        }
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }

    private static String transportProblem(Throwable cause, String socketPath) {
        // The JDK's domain sockets report a missing file in the OS's words; say it the same way always.
        if (cause instanceof FileNotFoundException || !Files.exists(Path.of(socketPath))) {
            return "no such socket";
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Connection refused")) {
                return "connection refused (nothing listens on the socket)";
            }
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isEmpty()) {
                return t.getMessage();
            }
        }
        return cause.getClass().getSimpleName();
    }
}
