package dev.swarmkit.swarmctl;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a command-line mistake is reported: upstream's (cobra/pflag) wording where it has one, then a
 * one-line pointer to the command's help instead of the whole usage.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    /** "Run 'swarmctl service create --help' for usage." */
    static String hint(CommandLine command) {
        return "Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.";
    }

    static String message(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            if (first.startsWith("--")) {
                return "unknown flag: " + first.split("=", 2)[0];
            }
            if (first.startsWith("-") && first.length() > 1) {
                return "unknown shorthand flag: '" + first.charAt(1) + "' in " + first;
            }
            CommandLine command = ex.getCommandLine();
            if (!command.getSubcommands().isEmpty()) {
                return "unknown command \"" + first + "\" for \"" + command.getCommandSpec().qualifiedName() + "\"";
            }
        }
        if (ex instanceof MissingParameterException missing) {
            List<ArgSpec> specs = missing.getMissing();
            if (specs != null && specs.size() == 1 && specs.get(0) instanceof OptionSpec option) {
                String name = option.longestName();
                return name.startsWith("--")
                        ? "flag needs an argument: " + name
                        : "flag needs an argument: '" + name.substring(1) + "' in " + name;
            }
        }
        return ex.getMessage();
    }
}
