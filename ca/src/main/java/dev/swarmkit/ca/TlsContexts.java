package dev.swarmkit.ca;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Netty TLS contexts for gRPC (ALPN h2, TLS 1.2+). Contexts hold reloadable key/trust managers, so
 * they are built once and keep working across certificate renewals.
 */
public final class TlsContexts {

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  static {
    ServerNameTolerance.install();
  }

  private TlsContexts() {}

  /** Server side: presents the node certificate, requests but does not require a client certificate. */
  public static SslContext server(X509ExtendedKeyManager keyManager, TrustManager trustManager) {
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager))
          .trustManager(trustManager)
          .clientAuth(ClientAuth.OPTIONAL)
          .protocols(PROTOCOLS)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build server TLS context", e);
    }
  }

  /**
   * Client side: presents the node certificate if the key manager has one, and verifies the server
   * against {@code trustManager} and the channel authority (use {@link Roles#MANAGER}).
   */
  public static SslContext client(X509ExtendedKeyManager keyManager, TrustManager trustManager) {
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forClient())
          .keyManager(keyManager)
          .trustManager(trustManager)
          .protocols(PROTOCOLS)
          .endpointIdentificationAlgorithm("HTTPS")
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build client TLS context", e);
    }
  }

  /** A client context that trusts any server and presents no certificate: only for fetching the root. */
  static SslContext bootstrapClient() {
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forClient())
          .trustManager(TrustAnyServer.INSTANCE)
          .protocols(PROTOCOLS)
          .endpointIdentificationAlgorithm(null)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build bootstrap TLS context", e);
    }
  }
}
