package dev.swarmkit.swarmd;

import java.net.InetSocketAddress;

/** "host:port" parsing for flags. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress parse(String hostPort, String flag) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(flag + " must be host:port, got \"" + hostPort + "\"");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " has an invalid port: \"" + hostPort + "\"");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(flag + " has an invalid port: \"" + hostPort + "\"");
    }
    return new InetSocketAddress(host, port);
  }

  static String format(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
