package dev.swarmkit.swarmd;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks, before a manager creates any state, that it can listen where the user asked: on the
 * remote API port and on the Raft port after it. Failures name the flag and value the user gave.
 */
final class ListenPorts {
  private ListenPorts() {}

  static void check(String flagValue, InetSocketAddress listen) {
    if (listen.getPort() == 0) {
      return; // an ephemeral port is chosen at bind time
    }
    if (listen.isUnresolved()) {
      throw new StartupException("--listen-remote-api " + flagValue + ": unknown host "
          + listen.getHostString() + "; use an IP address or host name of this machine");
    }
    tryBind(flagValue, listen, "port " + listen.getPort());
    if (listen.getPort() >= 65535) {
      throw new StartupException("--listen-remote-api " + flagValue + ": the Raft port (remote API port + 1) "
          + "would be past 65535; choose a lower port");
    }
    tryBind(flagValue, new InetSocketAddress(listen.getAddress(), listen.getPort() + 1),
        "Raft port " + (listen.getPort() + 1) + " (remote API port + 1)");
  }

  private static void tryBind(String flagValue, InetSocketAddress address, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(address);
    } catch (BindException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("in use")) {
        throw new StartupException("--listen-remote-api " + flagValue + ": " + what
            + " is already in use; stop what listens there or choose another --listen-remote-api");
      }
      throw new StartupException("--listen-remote-api " + flagValue + ": cannot listen on " + what + " ("
          + msg + "); use an address of this machine");
    } catch (IOException e) {
      throw new StartupException("--listen-remote-api " + flagValue + ": cannot listen on " + what + " ("
          + e.getMessage() + ")");
    }
  }
}
