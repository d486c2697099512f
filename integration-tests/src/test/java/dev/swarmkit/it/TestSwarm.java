package dev.swarmkit.it;

import dev.swarmkit.swarmctl.Environment;
import dev.swarmkit.swarmctl.SwarmctlMain;
import dev.swarmkit.swarmd.SwarmNode;
import dev.swarmkit.swarmd.SwarmdConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A swarm of real nodes in this JVM: each with its own state dir, its own remote API port on
 * 127.0.0.1 and (managers) its own control socket, all talking mutual TLS. Tasks run on the simulated
 * executor unless a test asks for Docker.
 */
final class TestSwarm implements AutoCloseable {

  private final Path root;
  private final List<SwarmNode> nodes = new ArrayList<>();
  private final Map<String, SwarmdConfig> configs = new HashMap<>();

  TestSwarm(Path root) {
    this.root = root;
  }

  /** Starts the first manager of a new swarm. */
  SwarmNode init(String hostname) throws Exception {
    return start(hostname, "", "", "simulated");
  }

  /** Joins a node with a token through {@code via}'s remote API. */
  SwarmNode join(String hostname, SwarmNode via, String token) throws Exception {
    return start(hostname, remoteAddress(via), token, "simulated");
  }

  SwarmNode start(String hostname, String joinAddr, String token, String executor) throws Exception {
    SwarmdConfig config = config(hostname, joinAddr, token, executor);
    configs.put(hostname, config);
    SwarmNode node = SwarmNode.start(config);
    nodes.add(node);
    return node;
  }

  /** Starts a stopped node again from its state dir, on the same ports and socket. */
  SwarmNode restart(String hostname) throws Exception {
    SwarmdConfig config = configs.get(hostname);
    if (config == null) {
      throw new IllegalArgumentException("no node " + hostname + " was started in this swarm");
    }
    SwarmNode node = SwarmNode.start(config);
    nodes.add(node);
    return node;
  }

  SwarmdConfig config(String hostname, String joinAddr, String token, String executor) throws IOException {
    Path dir = root.resolve(hostname);
    return new SwarmdConfig(dir, joinAddr, token, hostname, "127.0.0.1:" + freePortPair(), "",
        socketOf(hostname), "unix:///var/run/docker.sock", "", false,
        Duration.ofMillis(100), Duration.ofMillis(1000), "info", executor);
  }

  Path socketOf(String hostname) {
    return root.resolve(hostname).resolve("swarm.sock");
  }

  static String remoteAddress(SwarmNode node) {
    return "127.0.0.1:" + node.manager().orElseThrow().remotePort();
  }

  /** Runs swarmctl against a manager's socket; returns its exit code and output. */
  Result swarmctl(String managerHostname, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Environment env = new Environment(new PrintWriter(out, true), new PrintWriter(err, true),
        new ByteArrayInputStream(new byte[0]), Map.of("SWARM_SOCKET", socketOf(managerHostname).toString()),
        Clock.systemUTC());
    int code = SwarmctlMain.run(env, args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int exitCode, String out, String err) {}

  /** A free port whose successor is free too: a manager's Raft transport takes the next port. */
  static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket first = new ServerSocket(0)) {
        int port = first.getLocalPort();
        if (port >= 65535) {
          continue;
        }
        try (ServerSocket second = new ServerSocket(port + 1)) {
          return port;
        } catch (IOException taken) {
          // try another pair
        }
      }
    }
    throw new IOException("no free pair of adjacent ports on 127.0.0.1");
  }

  void stop(SwarmNode node) {
    node.close();
    nodes.remove(node);
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }
}
