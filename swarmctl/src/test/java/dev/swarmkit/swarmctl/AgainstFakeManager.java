package dev.swarmkit.swarmctl;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One fake manager per test class, on a fresh socket under target/, holding the recorded reference
 * swarm at the start of each test. The fields are shared by the subclasses: test classes run one at a
 * time, and each sets them up anew.
 */
abstract class AgainstFakeManager {
    private static final AtomicInteger SOCKETS = new AtomicInteger();
    static FakeManager manager;
    /** swarmctl run in-process against {@link #manager}. */
    static Cli cli;

    @BeforeAll
    static void startManager() throws Exception {
        Path socket = Path.of("target").toAbsolutePath()
                .resolve("swarmctl-" + ProcessHandle.current().pid() + "-" + SOCKETS.incrementAndGet() + ".sock");
        manager = new FakeManager(socket);
        cli = new Cli(manager.socket);
    }

    @AfterAll
    static void stopManager() throws Exception {
        manager.close();
    }

    @BeforeEach
    void loadTheReferenceSwarm() {
        manager.reset();
        ReferenceSwarm.load(manager);
    }

    static String resource(String name) {
        try (var in = AgainstFakeManager.class.getResourceAsStream("/reference/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("missing reference output " + name, e);
        }
    }
}
