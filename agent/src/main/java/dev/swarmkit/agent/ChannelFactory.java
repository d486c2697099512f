package dev.swarmkit.agent;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;

/** Opens a channel to a manager address ("host:port"); TLS is plugged in here by the daemon. */
@FunctionalInterface
public interface ChannelFactory {

  ManagedChannel open(String address);

  /** Plaintext channels, for tests and local setups. */
  static ChannelFactory plaintext() {
    return address -> NettyChannelBuilder.forTarget(address).usePlaintext()
        .maxInboundMessageSize(Integer.MAX_VALUE).build();
  }
}
