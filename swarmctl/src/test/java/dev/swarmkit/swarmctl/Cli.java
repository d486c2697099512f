package dev.swarmkit.swarmctl;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs swarmctl in-process against a socket, with a fixed clock, capturing what it prints. */
final class Cli {
    record Result(int exitCode, String out, String err) {
    }

    private final Path socket;
    private String stdin = "";

    Cli(Path socket) {
        this.socket = socket;
    }

    Cli withStdin(String text) {
        this.stdin = text;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment environment = new Environment(new PrintWriter(out, true), new PrintWriter(err, true),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                Map.of("SWARM_SOCKET", socket.toString()),
                Clock.fixed(ReferenceSwarm.NOW, ZoneOffset.UTC));
        List<String> all = new ArrayList<>(List.of(args));
        int code = SwarmctlMain.run(environment, all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }
}
