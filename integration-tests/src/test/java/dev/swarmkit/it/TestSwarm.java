package dev.swarmkit.it;

import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmctl.Environment;
import dev.swarmkit.swarmctl.SwarmctlMain;
import dev.swarmkit.swarmd.SwarmNode;
import dev.swarmkit.swarmd.SwarmdConfig;
import dev.swarmkit.swarmd.testing.LocalPorts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A swarm of real nodes in this JVM: each with its own state dir, its own remote API port on
 * 127.0.0.1 and (managers) its own control socket, all talking mutual TLS. Tasks run on the simulated
 * executor unless a test asks for Docker.
 */
final class TestSwarm implements AutoCloseable {

  private final Path root;
  private final List<SwarmNode> nodes = new ArrayList<>();
  private final Map<String, SwarmNode> byHostname = new HashMap<>();
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

  /**
   * Starts a node again from the state dir an earlier run of {@code hostname} left: it resumes its
   * identity from the certificates on disk, so it needs no join token, only a manager to talk to.
   */
  SwarmNode restart(String hostname, SwarmNode via, String executor) throws Exception {
    return start(hostname, remoteAddress(via), "", executor);
  }

  /**
   * A manager ("node-1") and {@code size - 1} workers ("node-2", ...), all running tasks as Docker
   * containers; waits until every node is READY and tells {@code started} each node's ID. A
   * non-null {@code heartbeatPeriod} (e.g. "1s") is set on the cluster before any worker joins, so
   * every agent heartbeats at that period from its first heartbeat on.
   */
  SwarmNode dockerSwarm(int size, Consumer<String> started, String heartbeatPeriod) throws Exception {
    SwarmNode manager = start("node-1", "", "", "docker");
    started.accept(manager.nodeId());
    if (heartbeatPeriod != null) {
      swarmctlUpdate("node-1", "cluster", "update", "default", "--heartbeat-period", heartbeatPeriod);
    }
    String token = joinToken("node-1", "Worker");
    for (int i = 2; i <= size; i++) {
      started.accept(start("node-" + i, remoteAddress(manager), token, "docker").nodeId());
    }
    awaitReady(manager, size);
    return manager;
  }

  /**
   * A swarm of simulated nodes: the first of {@code managers} inits it, the other managers and then
   * the workers join through it (in the order given) with join tokens from swarmctl. Waits until
   * every node is READY; returns the first manager.
   */
  SwarmNode managersAndWorkers(List<String> managers, List<String> workers) throws Exception {
    SwarmNode first = init(managers.get(0));
    String managerToken = joinToken(managers.get(0), "Manager");
    String workerToken = joinToken(managers.get(0), "Worker");
    for (String manager : managers.subList(1, managers.size())) {
      join(manager, first, managerToken);
    }
    for (String worker : workers) {
      join(worker, first, workerToken);
    }
    awaitReady(first, managers.size() + workers.size());
    return first;
  }

  /**
   * Waits until {@code manager} knows {@code count} nodes, all READY: a node that registers after a
   * service was scheduled gets none of its tasks, so tests that expect a spread wait for this first.
   */
  static void awaitReady(SwarmNode manager, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<Node> all = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES));
      return all.size() == count && all.stream().allMatch(n -> n.getStatus().getState() == NodeStatus.State.READY);
    });
  }

  /** Tasks whose observed state is RUNNING, as the manager's store has them. */
  static List<Task> runningTasks(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
  }

  SwarmNode start(String hostname, String joinAddr, String token, String executor) throws Exception {
    return start(config(hostname, joinAddr, token, executor));
  }

  /**
   * Starts {@code hostname} again exactly as it last ran (same state dir, same addresses, hence the
   * same Raft address for a manager), except that it is given no join token.
   */
  SwarmNode restartAsBefore(String hostname) throws Exception {
    SwarmdConfig last = configs.get(hostname);
    if (last == null) {
      throw new IllegalArgumentException("never started " + hostname);
    }
    return start(new SwarmdConfig(last.stateDir(), last.joinAddr(), "", last.hostname(), last.listenRemoteApi(),
        last.advertiseRemoteApi(), last.controlSocket(), last.engineAddr(), last.genericNodeResources(),
        last.forceNewCluster(), last.raftHeartbeat(), last.raftElectionTimeout(), last.logLevel(),
        last.executor()));
  }

  /** Starts a new first manager with autolock on: its key file is sealed from the start. */
  SwarmNode initAutolocked(String hostname) throws Exception {
    return start(config(hostname, "", "", "simulated").withLocking(true, ""));
  }

  /** As {@link #restartAsBefore}, giving {@code unlockKey} (may be empty) for a locked manager. */
  SwarmNode restartWithUnlockKey(String hostname, String unlockKey) throws Exception {
    SwarmdConfig last = configs.get(hostname);
    if (last == null) {
      throw new IllegalArgumentException("never started " + hostname);
    }
    return start(new SwarmdConfig(last.stateDir(), last.joinAddr(), "", last.hostname(), last.listenRemoteApi(),
        last.advertiseRemoteApi(), last.controlSocket(), last.engineAddr(), last.genericNodeResources(),
        false, last.raftHeartbeat(), last.raftElectionTimeout(), last.logLevel(), last.executor())
        .withLocking(false, unlockKey));
  }

  /**
   * Starts {@code hostname} again with only its state dir (and its own ports and socket), as
   * {@code swarmd -d DIR}: no join address and no token, so it must find a manager on its own.
   */
  SwarmNode restartWithOnlyStateDir(String hostname) throws Exception {
    SwarmdConfig last = configs.get(hostname);
    if (last == null) {
      throw new IllegalArgumentException("never started " + hostname);
    }
    return start(new SwarmdConfig(last.stateDir(), "", "", last.hostname(), last.listenRemoteApi(),
        last.advertiseRemoteApi(), last.controlSocket(), last.engineAddr(), last.genericNodeResources(),
        false, last.raftHeartbeat(), last.raftElectionTimeout(), last.logLevel(), last.executor()));
  }

  /**
   * Joins a node started without {@code --listen-control-api}: its config has the default socket path,
   * marked as not chosen by the operator.
   */
  SwarmNode joinWithoutControlSocketFlag(String hostname, SwarmNode via, String token) throws Exception {
    SwarmdConfig c = config(hostname, remoteAddress(via), token, "simulated");
    return start(new SwarmdConfig(c.stateDir(), c.joinAddr(), c.joinToken(), c.hostname(), c.listenRemoteApi(),
        c.advertiseRemoteApi(), Path.of("/var/run/swarmd.sock"), c.engineAddr(), c.genericNodeResources(),
        false, c.raftHeartbeat(), c.raftElectionTimeout(), c.logLevel(), c.executor(), false));
  }

  /** Starts a stopped node again from its state dir, on the same ports and socket. */
  SwarmNode restart(String hostname) throws Exception {
    SwarmdConfig config = configs.get(hostname);
    if (config == null) {
      throw new IllegalArgumentException("no node " + hostname + " was started in this swarm");
    }
    return start(config);
  }

  SwarmNode start(SwarmdConfig config) throws Exception {
    String hostname = config.hostname();
    SwarmNode node = SwarmNode.start(config);
    configs.put(hostname, config);
    nodes.add(node);
    byHostname.put(hostname, node);
    return node;
  }

  SwarmdConfig config(String hostname, String joinAddr, String token, String executor) throws IOException {
    Path dir = root.resolve(hostname);
    return new SwarmdConfig(dir, joinAddr, token, hostname, "127.0.0.1:" + LocalPorts.freePair(), "",
        socketOf(hostname), "unix:///var/run/docker.sock", "", false,
        Duration.ofMillis(100), Duration.ofMillis(1000), "info", executor);
  }

  /** Where {@code hostname} keeps its certificates and task database. */
  Path stateDir(String hostname) {
    return root.resolve(hostname);
  }

  Path socketOf(String hostname) {
    return root.resolve(hostname).resolve("swarm.sock");
  }

  static String remoteAddress(SwarmNode node) {
    return "127.0.0.1:" + node.manager().orElseThrow().remotePort();
  }

  /** Runs swarmctl against a manager's socket; returns its exit code and output. */
  Result swarmctl(String managerHostname, String... args) {
    return swarmctlAt(socketOf(managerHostname), args);
  }

  /** Runs swarmctl against the Control API socket at {@code socket}. */
  Result swarmctlAt(Path socket, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Environment env = new Environment(new PrintWriter(out, true), new PrintWriter(err, true),
        new ByteArrayInputStream(new byte[0]), Map.of("SWARM_SOCKET", socket.toString()),
        Clock.systemUTC());
    int code = SwarmctlMain.run(env, args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int exitCode, String out, String err) {}

  /** Runs swarmctl and fails with its stderr unless it exits 0; returns its stdout. */
  String swarmctlOk(String managerHostname, String... args) {
    Result r = swarmctl(managerHostname, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("swarmctl " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.err());
    }
    return r.out();
  }

  /**
   * Runs an updating swarmctl command until it succeeds: an update races the managers' own writes
   * to the same object (e.g. a node registering) and is then refused as out of sequence, as upstream.
   */
  String swarmctlUpdate(String managerHostname, String... args) {
    Result[] last = new Result[1];
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        last[0] = swarmctl(managerHostname, args);
        return last[0].exitCode() == 0 || !last[0].err().contains("out of sequence");
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // fall through: report the last refusal
    }
    if (last[0].exitCode() != 0) {
      throw new AssertionError("swarmctl " + String.join(" ", args) + " exited " + last[0].exitCode() + ": "
          + last[0].err());
    }
    return last[0].out();
  }

  /** The current join token ("Worker" or "Manager") as {@code swarmctl cluster inspect} prints it. */
  String joinToken(String managerHostname, String kind) {
    String inspect = swarmctlOk(managerHostname, "cluster", "inspect", "default");
    Matcher m = Pattern.compile(kind + ": (SWMTKN-\\S+)").matcher(inspect);
    if (!m.find()) {
      throw new AssertionError("no " + kind + " token in:\n" + inspect);
    }
    return m.group(1);
  }

  /** The running node started as {@code hostname}. */
  SwarmNode node(String hostname) {
    SwarmNode node = byHostname.get(hostname);
    if (node == null) {
      throw new IllegalArgumentException("no running node " + hostname);
    }
    return node;
  }

  void stop(SwarmNode node) {
    node.close();
    nodes.remove(node);
    byHostname.values().remove(node);
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
    byHostname.clear();
  }
}
