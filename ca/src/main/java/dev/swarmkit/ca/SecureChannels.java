package dev.swarmkit.ca;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;

/** Wiring helpers: mutual-TLS gRPC channels to managers and servers whose services are authorized. */
public final class SecureChannels {

  private SecureChannels() {}

  /** A channel to a manager, presenting this node's certificate and verifying "swarm-manager". */
  public static ManagedChannel toManager(SecurityConfig security, InetSocketAddress manager) {
    return CertificateRequester.channel(manager, security.clientSslContext(), Roles.MANAGER);
  }

  /** A builder for a channel to a manager, to add options (keepalive, interceptors) before build(). */
  public static NettyChannelBuilder toManagerBuilder(SecurityConfig security, InetSocketAddress manager) {
    return NettyChannelBuilder.forAddress(manager)
        .sslContext(security.clientSslContext())
        .overrideAuthority(Roles.MANAGER);
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
