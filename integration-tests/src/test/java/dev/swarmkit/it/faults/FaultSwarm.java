package dev.swarmkit.it.faults;

import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.manager.LeaderForwarding;
import dev.swarmkit.swarmctl.UnixSocketChannels;
import dev.swarmkit.swarmd.testing.LocalPorts;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A swarm of managers, each a real {@code swarmd} process (simulated executor) behind two {@link
 * LinkProxy}s (remote API and Raft port) that it advertises, so every manager-to-manager and
 * node-to-manager link crosses a proxy. Per node it can kill -9, stop cleanly, start again, pause
 * (SIGSTOP) and resume, cut links through the {@link Network}, and fill the state dir's disk (a
 * size-limited tmpfs, when mounting is permitted).
 */
final class FaultSwarm implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FaultSwarm.class);

  final class Member {
    final String hostname;
    final Path dir;
    final Path stateDir;
    final Path socket;
    final int proxyPort;
    final int realPort;
    final SwarmdProcess process;
    private final List<LinkProxy> proxies = new ArrayList<>();
    private UnixSocketChannels.Connection control;
    boolean tmpfs;
    volatile boolean down;

    Member(String hostname, List<String> join) throws IOException {
      this.hostname = hostname;
      this.dir = root.resolve(hostname);
      this.stateDir = dir.resolve("state");
      this.socket = dir.resolve("swarm.sock");
      Files.createDirectories(stateDir);
      this.realPort = LocalPorts.freePair();
      this.proxyPort = LocalPorts.freePair();
      proxies.add(new LinkProxy(hostname, proxyPort, realPort, network, owners));
      proxies.add(new LinkProxy(hostname, proxyPort + 1, realPort + 1, network, owners));
      List<String> args = new ArrayList<>(List.of("-d", stateDir.toString(), "--hostname", hostname,
          "--listen-remote-api", "127.0.0.1:" + realPort, "--advertise-remote-api", "127.0.0.1:" + proxyPort,
          "--listen-control-api", socket.toString(), "--executor", "simulated"));
      args.addAll(join);
      args.addAll(extraArgs);
      this.process = new SwarmdProcess(hostname, dir, args);
    }

    String address() {
      return "127.0.0.1:" + proxyPort;
    }

    void start() throws IOException {
      process.start();
      owners.register(hostname, process.pid());
      down = false;
    }

    /** A Control stub through this manager's socket (relayed to the leader, as for swarmctl). */
    synchronized ControlGrpc.ControlBlockingStub control(Duration deadline) {
      if (control == null) {
        control = UnixSocketChannels.open(socket.toString(), false);
      }
      return ControlGrpc.newBlockingStub(control.channel()).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A Control stub whose reads this manager answers from its own replica. */
    ControlGrpc.ControlBlockingStub localReads(Duration deadline) {
      Metadata headers = new Metadata();
      headers.put(LeaderForwarding.LOCAL_READ, "true");
      return control(deadline).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    synchronized void closeClient() {
      if (control != null) {
        control.close();
        control = null;
      }
    }
  }

  private final Path root;
  private final List<String> extraArgs;
  final Network network = new Network();
  private final SocketOwners owners = new SocketOwners();
  private final Map<String, Member> members = new LinkedHashMap<>();
  /** Managers a fault is applied to right now (killed, stopped, paused, cut off, disk full). */
  private final java.util.Set<String> faulted = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** {@code extraArgs} go to every swarmd (e.g. timing flags); none means the defaults. */
  FaultSwarm(Path root, List<String> extraArgs) {
    this.root = root;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts {@code size} managers: node-1 creates the swarm, the others join through it. If that
   * fails, the processes started so far are killed and their logs kept (the caller's
   * try-with-resources never receives this swarm to close).
   */
  FaultSwarm start(int size, boolean tmpfsStateDirs) throws Exception {
    try {
      return startMembers(size, tmpfsStateDirs);
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private FaultSwarm startMembers(int size, boolean tmpfsStateDirs) throws Exception {
    Member first = add("node-1", List.of(), tmpfsStateDirs);
    first.start();
    Awaitility.await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
        .until(() -> first.localReads(Duration.ofSeconds(5)).listClusters(ListClustersRequest.getDefaultInstance())
            .getClustersCount() == 1);
    String token = first.localReads(Duration.ofSeconds(5)).listClusters(ListClustersRequest.getDefaultInstance())
        .getClusters(0).getRootCa().getJoinTokens().getManager();
    for (int i = 2; i <= size; i++) {
      Member m = add("node-" + i, List.of("--join-addr", first.address(), "--join-token", token), tmpfsStateDirs);
      m.start();
      int managers = i;
      Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() ->
          first.control(Duration.ofSeconds(5)).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()
              .stream().filter(n -> n.hasManagerStatus()).count() == managers);
    }
    return this;
  }

  private Member add(String hostname, List<String> join, boolean tmpfsStateDir) throws IOException {
    Member m = new Member(hostname, join);
    if (tmpfsStateDir) {
      m.tmpfs = mountTmpfs(m.stateDir, "96m");
    }
    members.put(hostname, m);
    return m;
  }

  List<Member> members() {
    return List.copyOf(members.values());
  }

  Member member(String hostname) {
    return members.get(hostname);
  }

  List<Member> up() {
    return members.values().stream().filter(m -> !m.down).toList();
  }

  /** The leader's hostname as the given manager's replica records it. */
  Optional<String> leaderSeenBy(Member m) {
    try {
      return m.localReads(Duration.ofSeconds(3)).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()
          .stream().filter(n -> n.hasManagerStatus() && n.getManagerStatus().getLeader())
          .map(Node::getDescription).map(d -> d.getHostname()).findFirst();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The leader as the first running manager that knows one sees it. */
  Optional<Member> leader() {
    for (Member m : up()) {
      Optional<String> l = leaderSeenBy(m);
      if (l.isPresent()) {
        return Optional.ofNullable(members.get(l.get()));
      }
    }
    return Optional.empty();
  }

  void markFaulted(Member m, boolean now) {
    if (now) {
      faulted.add(m.hostname);
    } else {
      faulted.remove(m.hostname);
    }
  }

  boolean isFaulted(Member m) {
    return faulted.contains(m.hostname);
  }

  void kill(Member m) throws InterruptedException {
    m.down = true;
    m.closeClient();
    m.process.kill();
  }

  void stop(Member m) throws InterruptedException {
    m.down = true;
    m.closeClient();
    m.process.stop();
  }

  void restart(Member m) throws IOException {
    m.start();
  }

  /** Fills the state dir's tmpfs until writes fail; false when it is not a tmpfs. */
  boolean fillDisk(Member m) throws IOException {
    if (!m.tmpfs) {
      return false;
    }
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(m.stateDir.resolve("filler"))) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      return true; // ENOSPC
    }
  }

  void freeDisk(Member m) throws IOException {
    Files.deleteIfExists(m.stateDir.resolve("filler"));
  }

  /** Leader elections each manager logged, by hostname (a measure of churn). */
  Map<String, Integer> leadershipsTaken() throws IOException {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Member m : members.values()) {
      String logText = m.process.log();
      int count = 0;
      for (int i = logText.indexOf("took leadership"); i >= 0; i = logText.indexOf("took leadership", i + 1)) {
        count++;
      }
      out.put(m.hostname, count);
    }
    return out;
  }

  static boolean mountTmpfs(Path dir, String size) {
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
          .redirectErrorStream(true).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void umount(Path dir) {
    try {
      new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      log.warn("cannot unmount {}", dir, e);
    }
  }

  @Override
  public void close() {
    network.heal();
    Path logs = Path.of("target", "faults-logs", root.getFileName().toString());
    for (Member m : members.values()) {
      m.closeClient();
      try {
        m.process.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        // Kept for a failed run's post-mortem; the state dirs go with the test's temp dir.
        Files.createDirectories(logs);
        Files.writeString(logs.resolve(m.hostname + ".log"), m.process.log());
      } catch (IOException e) {
        log.warn("cannot keep the log of {}", m.hostname, e);
      }
      m.proxies.forEach(LinkProxy::close);
      if (m.tmpfs) {
        umount(m.stateDir);
      }
    }
  }
}
