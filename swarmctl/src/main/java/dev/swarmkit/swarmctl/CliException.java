package dev.swarmkit.swarmctl;

/** A failure reported to the user as "Error: message"; usage errors add a hint to the command's help. */
public class CliException extends RuntimeException {
    private final boolean usageError;

    public CliException(String message) {
        this(message, false);
    }

    private CliException(String message, boolean usageError) {
        super(message);
        this.usageError = usageError;
    }

    /** Wrong arguments or flags: the message is followed by a pointer to the command's --help. */
    public static CliException usage(String message) {
        return new CliException(message, true);
    }

    public boolean isUsageError() {
        return usageError;
    }
}
