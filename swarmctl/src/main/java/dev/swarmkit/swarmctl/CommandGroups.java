package dev.swarmkit.swarmctl;

import dev.swarmkit.swarmctl.cluster.ClusterCommand;
import dev.swarmkit.swarmctl.config.ConfigCommand;
import dev.swarmkit.swarmctl.network.NetworkCommand;
import dev.swarmkit.swarmctl.node.NodeCommand;
import dev.swarmkit.swarmctl.secret.SecretCommand;
import dev.swarmkit.swarmctl.service.ServiceCommand;
import dev.swarmkit.swarmctl.task.TaskCommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The root command's groups, registered lazily: building picocli's model of every command and option
 * takes longer than a whole {@code node ls}, so a command line that names one group gets only that
 * group. Anything this cannot read with certainty (help, typos, argument files) gets all of them, so
 * picocli's own help and error messages stay exactly as they were.
 */
final class CommandGroups {
    /** In the order the root's help lists them. */
    private static final Map<String, Class<?>> GROUPS = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        GROUPS.put("node", NodeCommand.class);
        GROUPS.put("service", ServiceCommand.class);
        GROUPS.put("task", TaskCommand.class);
        GROUPS.put("version", VersionCommand.class);
        GROUPS.put("network", NetworkCommand.class);
        GROUPS.put("cluster", ClusterCommand.class);
        GROUPS.put("secret", SecretCommand.class);
        GROUPS.put("config", ConfigCommand.class);
        GROUPS.put("completion", CompletionCommand.class);
        ALIASES.put("svc", "service");
    }

    private CommandGroups() {
    }

    /** The groups a command line needs: the one it names, else all. */
    static List<Class<?>> needed(String... args) {
        String name = groupName(args);
        name = ALIASES.getOrDefault(name, name);
        // The completion script describes every command, so it needs them all.
        if (name == null || name.equals("completion") || !GROUPS.containsKey(name)) {
            return List.copyOf(GROUPS.values());
        }
        return List.of(GROUPS.get(name));
    }

    /**
     * Whether the command line names a group whose commands call the manager (all but version and
     * completion), unless it asks for help; a guess that only decides what is prepared early.
     */
    static boolean talksToTheManager(String... args) {
        String name = groupName(args);
        name = ALIASES.getOrDefault(name, name);
        if (name == null || !GROUPS.containsKey(name) || name.equals("version") || name.equals("completion")) {
            return false;
        }
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                return false;
            }
        }
        return true;
    }

    /** The first positional argument, skipping the root's options; null when unsure. */
    static String groupName(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("@")) {
                return null; // an argument file: its contents decide
            }
            if (arg.equals("--")) {
                return i + 1 < args.length ? args[i + 1] : null;
            }
            if (arg.equals("--socket")) {
                i++;
            } else if (arg.startsWith("-") && !arg.startsWith("--") && arg.length() > 1) {
                // A cluster of short options such as -ns PATH: a trailing -s takes the next argument.
                int s = arg.indexOf('s');
                if (s == arg.length() - 1) {
                    i++;
                }
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }
}
