package dev.swarmkit.manager;

import io.grpc.ServerServiceDefinition;
import io.grpc.Server;
import dev.swarmkit.manager.metrics.GrpcServerMetrics;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Control API on a local Unix socket. As upstream, it speaks gRPC over TLS with the manager's
 * certificate, and clients need none: whoever may open the socket file (mode 0660) is trusted.
 */
public final class ControlSocketServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlSocketServer.class);

  private final Path socket;
  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;

  private ControlSocketServer(Path socket, Server server, EventLoopGroup boss, EventLoopGroup workers) {
    this.socket = socket;
    this.server = server;
    this.boss = boss;
    this.workers = workers;
  }

  /** Listens on {@code socket}, replacing a stale socket file left by an earlier run. */
  public static ControlSocketServer start(Path socket, SslContext tls, List<ServerServiceDefinition> services)
      throws IOException {
    Path parent = socket.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.deleteIfExists(socket);
    EventLoopGroup boss = new EpollEventLoopGroup(1);
    EventLoopGroup workers = new EpollEventLoopGroup(2);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .maxInboundMessageSize(128 * 1024 * 1024)
        .sslContext(tls)
        .intercept(GrpcServerMetrics.interceptor());
    services.forEach(builder::addService);
    Server server = builder.build().start();
    GrpcServerMetrics.initialize(server.getServices());
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    log.info("control API listening on {}", socket);
    return new ControlSocketServer(socket, server, boss, workers);
  }

  public Path socket() {
    return socket;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("could not remove control socket {}", socket, e);
    }
  }
}
