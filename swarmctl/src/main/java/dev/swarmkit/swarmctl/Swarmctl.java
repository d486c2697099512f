package dev.swarmkit.swarmctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root command: global connection options and the command groups. */
@Command(name = "swarmctl",
        description = "Manage a swarm through a manager's control socket.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class)
// The command groups are added by SwarmctlMain through CommandGroups, only those a command line needs.
public final class Swarmctl extends CommandGroup {
    private final Environment environment;
    private String socket;
    private boolean noResolve;
    private boolean plaintext;
    private Session session;

    public Swarmctl(Environment environment) {
        this.environment = environment;
    }

    // Setters rather than fields: options inherited by subcommands are applied again (with their
    // defaults) when a subcommand is parsed, and a default must never undo a value given earlier.
    @Option(names = {"-s", "--socket"}, scope = ScopeType.INHERIT, paramLabel = "<path>",
            description = "Manager control socket to talk to (default: $SWARM_SOCKET, else "
                    + Session.DEFAULT_SOCKET + ")")
    void socket(String path) {
        if (path != null) {
            socket = path;
        }
    }

    @Option(names = {"-n", "--no-resolve"}, scope = ScopeType.INHERIT,
            description = "Show IDs as they are instead of looking up names")
    void noResolve(boolean value) {
        noResolve |= value;
    }

    /** Only for tests against a server without TLS. */
    @Option(names = "--plaintext", scope = ScopeType.INHERIT, hidden = true)
    void plaintext(boolean value) {
        plaintext |= value;
    }

    Session session() {
        if (session == null) {
            String path = socket;
            if (path == null) {
                String fromEnv = environment.variables().get("SWARM_SOCKET");
                path = fromEnv == null || fromEnv.isEmpty() ? Session.DEFAULT_SOCKET : fromEnv;
            }
            session = new Session(environment, path, noResolve, plaintext);
        }
        return session;
    }

    /** The socket this run talks (or would talk) to. */
    String socketPath() {
        return session().socketPath();
    }

    void close() {
        if (session != null) {
            session.close();
        }
    }
}
