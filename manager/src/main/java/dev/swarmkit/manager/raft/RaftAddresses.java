package dev.swarmkit.manager.raft;

import java.net.InetSocketAddress;

/**
 * A manager's Raft (Ratis) transport listens on the port after its remote API port. Upstream serves
 * both on one port; Ratis brings its own gRPC server, so the pairing is fixed by convention instead
 * and either address can be derived from the other.
 */
public final class RaftAddresses {
  private RaftAddresses() {}

  /** The Raft address of the manager whose remote API is at {@code remoteApi} ("host:port"). */
  public static String raftOf(String remoteApi) {
    return shift(remoteApi, 1);
  }

  /** The remote API address of the manager whose Raft transport is at {@code raft}. */
  public static String remoteApiOf(String raft) {
    return shift(raft, -1);
  }

  /** "host:port" as a socket address (unresolved host names are resolved by the channel). */
  public static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not host:port: " + hostPort);
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String shift(String hostPort, int delta) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not host:port: " + hostPort);
    }
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    return hostPort.substring(0, colon) + ":" + (port + delta);
  }
}
