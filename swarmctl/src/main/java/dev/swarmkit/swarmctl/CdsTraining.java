package dev.swarmkit.swarmctl;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The build's training run for swarmctl's class-data-sharing archive (see scripts/cds-train.sh): runs
 * the usual commands in one JVM against a scratch manager, so that the JVM started with
 * {@code -XX:ArchiveClassesAtExit} archives every class they load. Not part of the command line.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    /** The command lines trained, in order; they create and remove one service of their own. */
    static List<List<String>> commandLines() {
        return List.of(
                List.of("--help"),
                List.of("version"),
                List.of("node", "ls"),
                List.of("node", "inspect", "cds-training"),
                List.of("cluster", "inspect", "default"),
                List.of("service", "create", "--name", "cds-training", "--image", "local/busybox:1",
                        "--replicas", "1", "--detach=false"),
                List.of("service", "ls"),
                List.of("service", "inspect", "cds-training"),
                List.of("service", "update", "cds-training", "--replicas", "2", "--detach=false"),
                List.of("task", "ls"),
                List.of("service", "rm", "cds-training"),
                List.of("network", "ls"),
                List.of("secret", "ls"),
                List.of("config", "ls"));
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: CdsTraining <control socket>");
            System.exit(2);
        }
        int failed = 0;
        for (List<String> commandLine : commandLines()) {
            StringWriter err = new StringWriter();
            Environment environment = new Environment(new PrintWriter(OutputStream.nullOutputStream(), true),
                    new PrintWriter(err, true), new ByteArrayInputStream(new byte[0]),
                    Map.of("SWARM_SOCKET", args[0]), Clock.systemUTC());
            if (SwarmctlMain.run(environment, commandLine.toArray(String[]::new)) != 0) {
                // A failed command still trains most of its classes; report it, the archive is still usable.
                System.err.println("cds training: swarmctl " + String.join(" ", commandLine) + ": " + err);
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
