package dev.swarmkit.ca;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.InternalNettyChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/** Wiring helpers: mutual-TLS gRPC channels to managers and servers whose services are authorized. */
public final class SecureChannels {

  private SecureChannels() {}

  /**
   * Largest message a node accepts from a manager, as the managers' servers do: a relayed ListTasks
   * of 100,000 tasks or a node's complete assignment set exceeds gRPC's 4 MiB default.
   */
  public static final int MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

  /** A channel to a manager, presenting this node's certificate and verifying "swarm-manager". */
  public static ManagedChannel toManager(SecurityConfig security, InetSocketAddress manager) {
    return CertificateRequester.channel(manager, security.clientSslContext(), Roles.MANAGER);
  }

  /** A builder for a channel to a manager, to add options (keepalive, interceptors) before build(). */
  public static NettyChannelBuilder toManagerBuilder(SecurityConfig security, InetSocketAddress manager) {
    return builder(manager, security.clientSslContext(), Roles.MANAGER);
  }

  /**
   * A builder for a TLS channel to {@code address} that verifies {@code authority}. gRPC's census
   * (stats and tracing) is not shipped: without this, every build looks for its classes, and the failed
   * lookup searches the whole class path (a tenth of a join's CPU where the class path has many jars).
   */
  static NettyChannelBuilder builder(InetSocketAddress address, SslContext tls, String authority) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(address)
        .sslContext(tls)
        .overrideAuthority(authority)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES);
    InternalNettyChannelBuilder.setStatsEnabled(builder, false);
    InternalNettyChannelBuilder.setTracingEnabled(builder, false);
    return builder;
  }

  /**
   * A server builder listening on {@code address} with this node's (hot-reloading) TLS identity. Add
   * services through {@link #authorized}: the TLS layer accepts any client certificate, and only the
   * interceptor decides who may call what.
   */
  public static NettyServerBuilder server(SecurityConfig security, InetSocketAddress address) {
    return NettyServerBuilder.forAddress(address).sslContext(security.serverSslContext());
  }

  /** {@code service} behind the authorization interceptor. */
  public static ServerServiceDefinition authorized(BindableService service, AuthorizationInterceptor auth) {
    return ServerInterceptors.intercept(service, auth);
  }
}
