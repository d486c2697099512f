package dev.swarmkit.swarmctl;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every leaf command: finds the invocation's session and runs against it. */
public abstract class SwarmctlCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        run(((Swarmctl) spec.root().userObject()).session());
        return 0;
    }

    protected abstract void run(Session session) throws Exception;

    /** Upstream's argument checks: exactly one positional argument, with its wording for each miss. */
    protected static String exactlyOne(List<String> args, String missing, String tooMany) {
        if (args == null || args.isEmpty()) {
            throw CliException.usage(missing);
        }
        if (args.size() > 1) {
            throw CliException.usage(tooMany);
        }
        return args.get(0);
    }

    protected static void none(List<String> args, String message) {
        if (args != null && !args.isEmpty()) {
            throw CliException.usage(message);
        }
    }
}
