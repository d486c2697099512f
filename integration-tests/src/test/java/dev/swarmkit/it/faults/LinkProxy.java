package dev.swarmkit.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;

/**
 * A TCP proxy in front of one port of one node: peers dial the proxy (the node advertises it), and
 * each connection is relayed to the node's real port under the {@link Network}'s rules for the pair
 * (source node, this node). The source is identified from {@code /proc} by {@link SocketOwners}.
 */
final class LinkProxy implements AutoCloseable {

  private final String node;
  private final int targetPort;
  private final Network network;
  private final SocketOwners owners;
  private final ServerSocket listener;
  private volatile boolean closed;

  LinkProxy(String node, int listenPort, int targetPort, Network network, SocketOwners owners) throws IOException {
    this.node = node;
    this.targetPort = targetPort;
    this.network = network;
    this.owners = owners;
    this.listener = new ServerSocket(listenPort, 200, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "proxy-" + node + "-" + listenPort);
    accept.setDaemon(true);
    accept.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Thread t = new Thread(() -> serve(client), "proxy-conn-" + node);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          sleep(50);
        }
      }
    }
  }

  private void serve(Socket client) {
    String from = identify(client);
    Socket upstream;
    try {
      upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
    } catch (IOException down) {
      closeQuietly(client);
      return;
    }
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException ignored) {
      // best effort
    }
    Thread back = new Thread(() -> pump(upstream, client, node, from), "proxy-back-" + node);
    back.setDaemon(true);
    back.start();
    pump(client, upstream, from, node);
  }

  private String identify(Socket client) {
    for (int i = 0; i < 5; i++) {
      Optional<String> owner = owners.ownerOf(client.getPort(), listener.getLocalPort());
      if (owner.isPresent()) {
        return owner.get();
      }
      sleep(10);
    }
    return Network.UNKNOWN;
  }

  private void pump(Socket in, Socket out, String from, String to) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream is = in.getInputStream(); OutputStream os = out.getOutputStream()) {
      int n;
      while ((n = is.read(buf)) >= 0) {
        Network.Mode mode = network.mode(from, to);
        if (mode == Network.Mode.DROP || closed) {
          break;
        }
        if (mode == Network.Mode.BLACKHOLE) {
          continue;
        }
        int delay = network.delayMillis(from, to);
        if (delay > 0) {
          sleep(delay);
        }
        os.write(buf, 0, n);
        os.flush();
      }
    } catch (IOException e) {
      // either side went away
    } finally {
      closeQuietly(in);
      closeQuietly(out);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
