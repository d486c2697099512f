package dev.swarmkit.swarmctl;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Opens gRPC channels to a manager's control socket. Like upstream swarmctl, the connection uses TLS
 * but neither presents a client certificate nor verifies the server: whoever can open the socket file
 * is trusted, so the socket's file permissions are the access control.
 */
public final class UnixSocketChannels {
    /** The server name upstream's managers put in their certificates. */
    public static final String AUTHORITY = "swarm-manager";

    private UnixSocketChannels() {
    }

    /** A channel with its own event loop; closing it shuts both down. */
    public record Connection(ManagedChannel channel, EventLoopGroup eventLoop) implements AutoCloseable {
        @Override
        public void close() {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * The JDK's own Unix domain sockets (NIO) rather than Netty's epoll transport: the latter unpacks
     * and loads a native library on every run, which costs a short-lived client more than it saves.
     */
    public static Connection open(String socketPath, boolean plaintext) {
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socketPath))
                .eventLoopGroup(eventLoop)
                .channelType(NioDomainSocketChannel.class)
                .overrideAuthority(AUTHORITY)
                .maxInboundMessageSize(128 * 1024 * 1024);
        if (plaintext) {
            builder.usePlaintext();
        } else {
            builder.sslContext(insecureClientContext());
        }
        return new Connection(builder.build(), eventLoop);
    }

    private static CompletableFuture<SslContext> tlsContext;

    /**
     * Starts building the TLS context on a thread of its own, so that on a machine with more than one
     * core it overlaps with parsing the command line: a short-lived client's start-up is otherwise one
     * sequential path, and the JDK's TLS set-up is a fifth of it.
     */
    static synchronized void prepareTls() {
        if (tlsContext == null) {
            tlsContext = CompletableFuture.supplyAsync(UnixSocketChannels::newInsecureClientContext, task -> {
                Thread thread = new Thread(task, "tls-setup");
                thread.setDaemon(true);
                thread.start();
            });
        }
    }

    /** The TLS context for the control socket, built once per process. */
    static SslContext insecureClientContext() {
        prepareTls();
        try {
            return tlsContext.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * What {@code GrpcSslContexts.forClient()} configures for the JDK's TLS (HTTP/2 ciphers, ALPN "h2"),
     * without its provider search: that instantiates every security provider and a throwaway TLS
     * context to see whether the JDK has ALPN, which Java 9 and later always have (a sixth of a
     * call's CPU).
     */
    private static SslContext newInsecureClientContext() {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the control socket: " + e.getMessage(), e);
        }
    }
}
