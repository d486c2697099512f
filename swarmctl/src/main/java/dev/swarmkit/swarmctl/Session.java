package dev.swarmkit.swarmctl;

import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.LogsGrpc;
import java.io.PrintWriter;
import java.time.Instant;

/**
 * One invocation's connection to the manager: the socket is dialled on first use, so commands that
 * fail validation never touch the network, and everything is closed when the command ends.
 */
public final class Session implements AutoCloseable {
    public static final String DEFAULT_SOCKET = "/var/run/swarmd.sock";

    private final Environment environment;
    private final String socketPath;
    private final boolean noResolve;
    private final boolean plaintext;
    private UnixSocketChannels.Connection connection;
    private Resolver resolver;

    Session(Environment environment, String socketPath, boolean noResolve, boolean plaintext) {
        this.environment = environment;
        this.socketPath = socketPath;
        this.noResolve = noResolve;
        this.plaintext = plaintext;
    }

    public PrintWriter out() {
        return environment.out();
    }

    public PrintWriter err() {
        return environment.err();
    }

    public Environment environment() {
        return environment;
    }

    public Instant now() {
        return environment.clock().instant();
    }

    public String socketPath() {
        return socketPath;
    }

    private UnixSocketChannels.Connection connection() {
        if (connection == null) {
            connection = UnixSocketChannels.open(socketPath, plaintext);
        }
        return connection;
    }

    public ControlGrpc.ControlBlockingStub control() {
        return ControlGrpc.newBlockingStub(connection().channel());
    }

    public CAGrpc.CABlockingStub ca() {
        return CAGrpc.newBlockingStub(connection().channel());
    }

    public LogsGrpc.LogsBlockingStub logs() {
        return LogsGrpc.newBlockingStub(connection().channel());
    }

    public Lookup lookup() {
        return new Lookup(control());
    }

    /** Maps IDs to names for display, unless {@code --no-resolve} was given. */
    public Resolver resolver() {
        if (resolver == null) {
            resolver = new Resolver(this::control, noResolve);
        }
        return resolver;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
