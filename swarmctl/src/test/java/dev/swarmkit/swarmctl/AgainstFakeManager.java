package dev.swarmkit.swarmctl;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** One fake manager per test class, on a fresh socket under target/. */
abstract class AgainstFakeManager {
    private static final AtomicInteger SOCKETS = new AtomicInteger();

    static FakeManager startManager() throws Exception {
        Path socket = Path.of("target").toAbsolutePath()
                .resolve("swarmctl-" + ProcessHandle.current().pid() + "-" + SOCKETS.incrementAndGet() + ".sock");
        return new FakeManager(socket);
    }

    static String resource(String name) {
        try (var in = AgainstFakeManager.class.getResourceAsStream("/reference/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("missing reference output " + name, e);
        }
    }
}
