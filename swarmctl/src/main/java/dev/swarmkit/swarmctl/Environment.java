package dev.swarmkit.swarmctl;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;

/** What a run of swarmctl talks to besides the manager: its streams, environment and clock. */
public record Environment(PrintWriter out, PrintWriter err, InputStream in, Map<String, String> variables,
                          Clock clock) {

    public static Environment system() {
        return new Environment(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.in,
                System.getenv(), Clock.systemUTC());
    }
}
