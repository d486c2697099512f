package dev.swarmkit.swarmctl;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Parameters;

@Command(name = "version", description = "Show which swarmctl this is.")
public final class VersionCommand extends SwarmctlCommand {
    static final String PROJECT = "dev.swarmkit";

    @Parameters(hidden = true)
    List<String> args;

    static String version() {
        String version = Swarmctl.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-SNAPSHOT" : version;
    }

    @Override
    protected void run(Session session) {
        none(args, "version command takes no arguments");
        session.out().println("swarmctl " + PROJECT + " " + version());
    }

    /** Feeds {@code --version}. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"swarmctl " + PROJECT + " " + version()};
        }
    }
}
