package dev.swarmkit.swarmctl;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;

/** Entry point of the swarmctl command line. */
public final class SwarmctlMain {
    private SwarmctlMain() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), args));
    }

    /** Runs one command line and returns its exit status: 0, or 1 after printing "Error: ...". */
    public static int run(Environment environment, String... args) {
        Swarmctl root = new Swarmctl(environment);
        CommandLine commandLine = new CommandLine(root)
                .setOut(environment.out())
                .setErr(environment.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((ex, ignored) -> {
                    environment.err().println("Error: " + ex.getMessage());
                    environment.err().print(ex.getCommandLine().getUsageMessage());
                    return 1;
                })
                .setExecutionExceptionHandler((ex, failed, parseResult) -> {
                    environment.err().println("Error: " + messageOf(ex));
                    if (ex instanceof CliException cli && cli.isUsageError()) {
                        environment.err().print(failed.getUsageMessage());
                    }
                    return 1;
                });
        try {
            return commandLine.execute(args);
        } finally {
            root.close();
            environment.out().flush();
            environment.err().flush();
        }
    }

    /** The server's own words for gRPC failures (as upstream prints them), else the exception's message. */
    static String messageOf(Throwable ex) {
        if (ex instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            String description = status.getDescription();
            if (description == null || description.isEmpty()) {
                description = status.getCode().name();
            }
            if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null
                    && status.getCause().getMessage() != null) {
                description = description + ": " + status.getCause().getMessage();
            }
            return description;
        }
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }
}
