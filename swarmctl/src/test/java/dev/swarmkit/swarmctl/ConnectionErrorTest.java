package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A socket that exists but where nothing listens is reported in one line, with what to check. */
class ConnectionErrorTest {

    @TempDir Path dir;

    @Test
    void aSocketNobodyListensOnIsReportedAsRefusedInOneLine() throws Exception {
        Path socket = dir.resolve("dead.sock");
        // Bound but never listening, then closed: the file stays and connecting is refused.
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        Cli.Result result = new Cli(socket).run("node", "ls");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err()).isEqualTo("Error: cannot connect to the manager at " + socket
                + ": connection refused (nothing listens on the socket); is swarmd running as a manager with "
                + "--listen-control-api " + socket + "? (choose the socket with -s or SWARM_SOCKET)\n");
    }
}
