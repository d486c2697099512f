package dev.swarmkit.bench;

import com.google.protobuf.util.Timestamps;
import dev.swarmkit.agent.Agent;
import dev.swarmkit.agent.AgentConfig;
import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.swarmctl.UnixSocketChannels;
import dev.swarmkit.swarmd.testing.LocalPorts;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated swarm at scale (issue 12): three (or {@code --managers}) managers as separate {@code
 * swarmd --executor simulated} processes (Raft, mutual TLS, state on disk), drained so they run no
 * tasks, and N worker agents in this JVM, each a real {@link Agent} with its own node ID and a
 * certificate obtained from the CA with the worker join token, running tasks on the simulated
 * executor. Creates one service of M replicas, then kills the leader with SIGKILL.
 *
 * <p>Usage: {@code scripts/bench.sh swarm --managers 3 --nodes 100 --tasks 10000 [--manager-heap 2g]
 * [--manager-java-opts "-XX:+UseG1GC"]
 * [--settle 20s] [--jfr] [--worker-dir /dev/shm] [--election-tick 10] [--join-parallelism 16]}. Workers' state
 * (certificates, task database) goes to tmpfs by default: each stands for a machine with its own
 * disk. The last line of stdout is the {@code key=value} summary.
 */
public final class SwarmBench {

  /** Machines joining at once by default (each waits on its certificate, mostly for a Raft commit). */
  private static final int JOIN_PARALLELISM = 16;
  private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\(");

  public static void main(String[] args) throws Exception {
    int managers = 3;
    int nodes = 100;
    int tasks = 10_000;
    String managerHeap = "2g";
    String managerJavaOpts = "-XX:+UseG1GC";
    int settleSeconds = 20;
    boolean jfr = false;
    int joinParallelism = JOIN_PARALLELISM;
    String electionTick = "10";
    Path workerRoot = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--managers" -> managers = Integer.parseInt(args[++i]);
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--manager-heap" -> managerHeap = args[++i];
        case "--manager-java-opts" -> managerJavaOpts = args[++i];
        case "--settle" -> settleSeconds = Integer.parseInt(args[++i].replace("s", ""));
        case "--jfr" -> jfr = true;
        case "--join-parallelism" -> joinParallelism = Integer.parseInt(args[++i]);
        case "--election-tick" -> electionTick = args[++i];
        case "--worker-dir" -> workerRoot = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    quietLogs();
    Path root = Files.createTempDirectory("swarm-bench");
    // Each simulated worker stands for a machine with its own disk; sharing this machine's one disk
    // between thousands of task databases would measure that disk, so they live in tmpfs.
    Path workers = workerRoot == null ? root : Files.createTempDirectory(workerRoot, "swarm-bench-workers");
    System.err.println("state under " + root + ", workers under " + workers);
    try {
      new SwarmBench(electionTick, joinParallelism, managerJavaOpts).run(root, workers, managers, nodes, tasks, managerHeap, settleSeconds, jfr);
    } finally {
      if (!workers.equals(root)) {
        deleteTree(workers);
      }
    }
    System.exit(0);
  }

  private final String electionTick;
  private final int joinParallelism;
  /** Added to each manager's JVM options after the launcher's, as SWARMD_JAVA_OPTS is. */
  private final String managerJavaOpts;
  private final List<ManagerProcess> managerProcs = new ArrayList<>();

  private SwarmBench(String electionTick, int joinParallelism, String managerJavaOpts) {
    this.managerJavaOpts = managerJavaOpts;
    this.electionTick = electionTick;
    this.joinParallelism = joinParallelism;
  }

  private final List<Agent> agents = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger joinRetries = new java.util.concurrent.atomic.AtomicInteger();

  /** Best effort: agents may still be writing while the JVM exits. */
  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // left for the OS to clean
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      System.err.println("could not remove " + dir + ": " + e);
    }
  }

  private void run(Path root, Path workerRoot, int managerCount, int nodeCount, int taskCount, String heap, int settle,
      boolean jfr) throws Exception {
    System.err.printf("joining %d workers, %d at a time%n", nodeCount, joinParallelism);
    try {
      ManagerProcess first = ManagerProcess.start(root, "m1", "", "", heap, managerJavaOpts, jfr, electionTick);
      managerProcs.add(first);
      first.awaitControl(Duration.ofMinutes(2));
      Cluster cluster;
      try (var c = first.control()) {
        cluster = ControlGrpc.newBlockingStub(c.channel()).listClusters(ListClustersRequest.getDefaultInstance())
            .getClusters(0);
      }
      String workerToken = cluster.getRootCa().getJoinTokens().getWorker();
      String managerToken = cluster.getRootCa().getJoinTokens().getManager();
      for (int i = 2; i <= managerCount; i++) {
        ManagerProcess m = ManagerProcess.start(root, "m" + i, first.remote, managerToken, heap, managerJavaOpts,
            jfr, electionTick);
        managerProcs.add(m);
        m.awaitControl(Duration.ofMinutes(2));
      }
      drainManagers(first, managerCount);
      List<String> seeds = managerProcs.stream().map(m -> m.remote).toList();

      // Workers: join through the CA (parallel, as real machines would), then run their agents.
      Map<ManagerProcess, ThreadCpu> joinCpuBefore = new HashMap<>();
      Map<ManagerProcess, GrpcCounts> joinGrpcBefore = new HashMap<>();
      for (ManagerProcess m : managerProcs) {
        joinCpuBefore.put(m, ThreadCpu.of(m.process.pid()));
        joinGrpcBefore.put(m, GrpcCounts.scrape(m.metrics));
      }
      ThreadCpu agentsJoinCpuBefore = ThreadCpu.of(ProcessHandle.current().pid());
      long t0 = System.nanoTime();
      ExecutorService joins = Executors.newFixedThreadPool(joinParallelism);
      List<Future<?>> pending = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        String name = "w" + i;
        pending.add(joins.submit(() -> {
          startWorker(workerRoot.resolve(name), name, seeds, workerToken);
          return null;
        }));
      }
      for (Future<?> f : pending) {
        f.get();
      }
      joins.shutdown();
      double joinedS = secondsSince(t0);
      awaitReady(first, managerCount + nodeCount, Duration.ofMinutes(10));
      double readyS = secondsSince(t0);
      System.err.printf("%d workers joined in %.1fs (%d join attempts retried), all READY after %.1fs%n", nodeCount,
          joinedS, joinRetries.get(), readyS);
      // Joins are CPU-bound on a small machine: where their CPU went, process by process.
      for (ManagerProcess m : managerProcs) {
        System.err.printf("  joins on manager %s: CPU by thread: %s%n    gRPC served while nodes joined:%s%n", m.name,
            ThreadCpu.of(m.process.pid()).topSince(joinCpuBefore.get(m), 8),
            GrpcCounts.scrape(m.metrics).perUnitSince(joinGrpcBefore.get(m), nodeCount, "node"));
      }
      System.err.printf("  joins in the agents' JVM: CPU by thread: %s%n",
          ThreadCpu.of(ProcessHandle.current().pid()).topSince(agentsJoinCpuBefore, 8));
      java.util.Set<String> readyWorkers = readyWorkerIds(first);

      ManagerProcess leader = leader(first);
      long cpuBefore = leader.cpuTicks();
      // Every process shares this machine's cores, so the running phase's CPU is reported for each.
      long followersCpuBefore = followersCpuTicks(leader);
      long agentsCpuBefore = ownCpuNanos();
      leader.startGcSampling();
      Map<ManagerProcess, GrpcCounts> grpcBefore = new HashMap<>();
      Map<ManagerProcess, ThreadCpu> threadCpuBefore = new HashMap<>();
      for (ManagerProcess m : managerProcs) {
        grpcBefore.put(m, GrpcCounts.scrape(m.metrics));
        threadCpuBefore.put(m, ThreadCpu.of(m.process.pid()));
      }
      ThreadCpu agentsThreadCpuBefore = ThreadCpu.of(ProcessHandle.current().pid());
      var watchChannel = leader.control();
      RunningTaskWatch watch = new RunningTaskWatch(watchChannel.channel(), Duration.ofSeconds(30));
      long createMillis = System.currentTimeMillis();
      long c0 = System.nanoTime();
      String serviceId;
      try (var c = leader.control()) {
        serviceId = ControlGrpc.newBlockingStub(c.channel()).createService(CreateServiceRequest.newBuilder()
            .setSpec(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("bench"))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("sim:1")))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(taskCount)))
            .build()).getService().getId();
      }
      int maxLeaderThreads = leader.threads();
      int maxAgentThreads = agentThreads();
      List<Task> running;
      double runningS;
      long cpuAtRunning;
      long followersCpuAtRunning;
      long agentsCpuAtRunning;
      int polls = 0;
      while (true) {
        // The watch count is checked every 100 ms; threads are sampled every second, progress every 2 s.
        int leaderThreads = -1;
        if (polls % 10 == 0) {
          leaderThreads = leader.threads();
          maxLeaderThreads = Math.max(maxLeaderThreads, leaderThreads);
          maxAgentThreads = Math.max(maxAgentThreads, agentThreads());
        }
        int seen = watch.running();
        if (seen >= taskCount) {
          // Confirmed by one listing, which also gives every task's RUNNING timestamp.
          runningS = secondsSince(c0);
          cpuAtRunning = leader.cpuTicks();
          followersCpuAtRunning = followersCpuTicks(leader);
          agentsCpuAtRunning = ownCpuNanos();
          running = runningTasks(leader, serviceId);
          if (running.size() >= taskCount) {
            break;
          }
        }
        if (secondsSince(c0) > 1800) {
          throw new IllegalStateException("only " + seen + " of " + taskCount + " running after 30 min");
        }
        if (polls++ % 20 == 0) {
          System.err.printf("  %.0fs: %d created, %d assigned, %d running, leader threads %d%n", secondsSince(c0),
              watch.created(), watch.assigned(), seen, leaderThreads);
        }
        Thread.sleep(100);
      }
      watch.close();
      watchChannel.close();
      double leaderCpu = (cpuAtRunning - cpuBefore) / 100.0;
      double followersCpu = (followersCpuAtRunning - followersCpuBefore) / 100.0;
      double agentsCpu = (agentsCpuAtRunning - agentsCpuBefore) / 1e9;
      long[] latencies = running.stream()
          .mapToLong(t -> Timestamps.toMillis(t.getStatus().getTimestamp()) - createMillis).sorted().toArray();
      double lastRunning = latencies[latencies.length - 1] / 1000.0;
      long peakHeap = leader.peakHeapMb();
      long heapAfterGc = leader.heapAfterFullGcMb();
      maxLeaderThreads = Math.max(maxLeaderThreads, leader.threads());
      System.err.printf("%d tasks RUNNING (last at %.1fs by agent clock, seen at %.1fs); leader cpu %.1fs, "
          + "heap after GC %d MB, peak %d MB; threads leader %d, agents' JVM %d%n", taskCount, lastRunning,
          runningS, leaderCpu, heapAfterGc, peakHeap, maxLeaderThreads, maxAgentThreads);
      for (ManagerProcess m : managerProcs) {
        System.err.printf("  manager %s%s: threads %d; CPU by thread: %s%n    gRPC served while tasks started:%s%n",
            m.name, m == leader ? " (leader)" : "", m.threads(),
            ThreadCpu.of(m.process.pid()).topSince(threadCpuBefore.get(m), 8),
            GrpcCounts.scrape(m.metrics).perUnitSince(grpcBefore.get(m), taskCount, "task"));
      }
      System.err.printf("  agents' JVM: CPU by thread: %s%n",
          ThreadCpu.of(ProcessHandle.current().pid()).topSince(agentsThreadCpuBefore, 8));
      if (jfr) {
        leader.dumpJfr(root.resolve("leader.jfr"));
        for (ManagerProcess m : managerProcs) {
          if (m != leader) {
            m.dumpJfr(root.resolve("follower-" + m.name + ".jfr"));
          }
        }
      }

      // Failover: SIGKILL the leader, time until another manager serves the Control API again.
      long k0 = System.nanoTime();
      java.time.LocalTime killedAt = java.time.LocalTime.now();
      leader.process.destroyForcibly();
      managerProcs.remove(leader);
      ManagerProcess survivor = managerProcs.get(0);
      String newLeader = awaitNewLeader(survivor, leader.nodeId, Duration.ofMinutes(3));
      double failoverS = secondsSince(k0);
      System.err.printf("new leader %s serving after %.1fs; settling %ds%n", newLeader, failoverS, settle);
      int maxDown = 0;
      long settleEnd = System.nanoTime() + Duration.ofSeconds(settle).toNanos();
      while (System.nanoTime() < settleEnd) {
        maxDown = Math.max(maxDown, downWorkers(survivor, readyWorkers));
        Thread.sleep(1000);
      }
      printFailoverTimeline(killedAt);
      List<Task> after = runningTasks(survivor, serviceId);
      long distinctSlots = after.stream().mapToLong(Task::getSlot).distinct().count();
      boolean oneEach = distinctSlots == after.size() && after.size() == taskCount;
      System.err.printf("after failover: %d nodes DOWN at most, %d tasks RUNNING in %d slots (%s)%n",
          maxDown, after.size(), distinctSlots, oneEach ? "one per slot" : "NOT one per slot");
      System.out.printf("swarm managers=%d nodes=%d tasks=%d ready_s=%.1f running_s=%.1f tasks_per_s=%.0f "
          + "p50_s=%.1f p99_s=%.1f leader_cpu_s=%.1f followers_cpu_s=%.1f agents_cpu_s=%.1f leader_threads=%d agents_threads=%d leader_heap_mb=%d "
          + "leader_heap_peak_mb=%d failover_s=%.1f nodes_down=%d tasks_running_after=%d one_per_slot=%s%n",
          managerCount, nodeCount, taskCount, readyS, runningS, taskCount / runningS,
          percentile(latencies, 0.50) / 1000.0, percentile(latencies, 0.99) / 1000.0, leaderCpu, followersCpu, agentsCpu,
          maxLeaderThreads, maxAgentThreads, heapAfterGc, peakHeap, failoverS, maxDown, after.size(), oneEach);
    } catch (Exception | Error e) {
      e.printStackTrace();
      throw e;
    } finally {
      List<Agent> started;
      synchronized (agents) {
        started = new ArrayList<>(agents);
      }
      started.parallelStream().forEach(Agent::close);
      for (ManagerProcess m : managerProcs) {
        m.process.destroyForcibly();
      }
    }
  }

  private static void quietLogs() {
    var ctx = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
    ctx.getLogger("io.netty").setLevel(ch.qos.logback.classic.Level.ERROR);
    ctx.getLogger("dev.swarmkit.agent.Agent").setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  private long followersCpuTicks(ManagerProcess leader) throws IOException {
    long sum = 0;
    for (ManagerProcess m : managerProcs) {
      if (m != leader) {
        sum += m.cpuTicks();
      }
    }
    return sum;
  }

  /** CPU time of this JVM (the agents, their transport, and the bench itself). */
  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static int agentThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private void startWorker(Path dir, String name, List<String> seeds, String token) throws Exception {
    Files.createDirectories(dir);
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(dir);
    SecurityConfig security = null;
    for (int attempt = 1; security == null; attempt++) {
      try {
        security = new CertificateRequester().join(parse(seeds.get(Math.floorMod(name.hashCode() + attempt,
            seeds.size()))), token, NodeSpec.Availability.ACTIVE, files);
      } catch (io.grpc.StatusRuntimeException e) {
        // A busy CA times out; like an operator re-running swarmd, join again (a node object the
        // timed-out attempt created stays behind, never READY).
        if (attempt >= 10) {
          throw e;
        }
        joinRetries.incrementAndGet();
        Thread.sleep(500L * attempt);
      }
    }
    SecurityConfig identity = security;
    Agent agent = new Agent(AgentConfig.of(dir, () -> seeds, new SimulatedExecutor(name),
        address -> SecureChannels.toManager(identity, parse(address)), List.of()).withSyncWrites(false));
    agent.start();
    agents.add(agent);
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private void drainManagers(ManagerProcess first, int count) throws InterruptedException {
    try (var c = first.control()) {
      var control = ControlGrpc.newBlockingStub(c.channel());
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      List<Node> ms;
      while ((ms = control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()).size() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("managers did not register");
        }
        Thread.sleep(200);
      }
      for (Node listed : ms) {
        Node n = listed;
        for (int attempt = 0; ; attempt++) {
          try {
            control.updateNode(UpdateNodeRequest.newBuilder().setNodeId(n.getId())
                .setNodeVersion(n.getMeta().getVersion())
                .setSpec(n.getSpec().toBuilder().setAvailability(NodeSpec.Availability.DRAIN)).build());
            break;
          } catch (io.grpc.StatusRuntimeException e) {
            if (attempt > 20) {
              throw e;
            }
            Thread.sleep(200); // the dispatcher updated the node meanwhile: read it again
            n = control.getNode(dev.swarmkit.api.GetNodeRequest.newBuilder().setNodeId(n.getId()).build()).getNode();
          }
        }
        for (ManagerProcess m : managerProcs) {
          if (m.name.equals(n.getDescription().getHostname())) {
            m.nodeId = n.getId();
          }
        }
      }
    }
  }

  private static void awaitReady(ManagerProcess m, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (var c = m.control()) {
      var control = ControlGrpc.newBlockingStub(c.channel());
      while (true) {
        long ready = control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .filter(n -> n.getStatus().getState() == NodeStatus.State.READY).count();
        if (ready >= count) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + ready + " of " + count + " nodes READY");
        }
        Thread.sleep(250);
      }
    }
  }

  private ManagerProcess leader(ManagerProcess any) {
    try (var c = any.control()) {
      for (Node n : ControlGrpc.newBlockingStub(c.channel()).listNodes(ListNodesRequest.getDefaultInstance())
          .getNodesList()) {
        if (n.hasManagerStatus() && n.getManagerStatus().getLeader()) {
          for (ManagerProcess m : managerProcs) {
            if (m.name.equals(n.getDescription().getHostname())) {
              return m;
            }
          }
        }
      }
    }
    throw new IllegalStateException("no leader found");
  }

  /** The survivors' election and leadership lines since the kill, with seconds since it. */
  private void printFailoverTimeline(java.time.LocalTime killedAt) throws IOException {
    for (ManagerProcess m : managerProcs) {
      for (String line : m.logSince(killedAt)) {
        if (line.contains("INFO") && (line.contains("election") || line.contains("leader")
            || line.contains("PRE_VOTE") || line.contains("ELECTION"))) {
          double at = java.time.Duration.between(killedAt, java.time.LocalTime.parse(line.substring(0, 12)))
              .toMillis() / 1000.0;
          System.err.printf("  %s +%.1fs %s%n", m.name, at, line.substring(13, Math.min(line.length(), 200)));
        }
      }
    }
  }

  private static String awaitNewLeader(ManagerProcess m, String oldLeader, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (var c = m.control()) {
        for (Node n : ControlGrpc.newBlockingStub(c.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
            .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
          if (n.hasManagerStatus() && n.getManagerStatus().getLeader() && !n.getId().equals(oldLeader)) {
            return n.getDescription().getHostname();
          }
        }
      } catch (RuntimeException e) {
        // no leader yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no new leader within " + timeout);
  }

  private static java.util.Set<String> readyWorkerIds(ManagerProcess m) {
    try (var c = m.control()) {
      return ControlGrpc.newBlockingStub(c.channel()).listNodes(ListNodesRequest.getDefaultInstance())
          .getNodesList().stream()
          .filter(n -> !n.hasManagerStatus() && n.getStatus().getState() == NodeStatus.State.READY)
          .map(Node::getId).collect(java.util.stream.Collectors.toSet());
    }
  }

  /** Workers that were READY before the failover and are DOWN now. */
  private static int downWorkers(ManagerProcess m, java.util.Set<String> wereReady) {
    try (var c = m.control()) {
      return (int) ControlGrpc.newBlockingStub(c.channel()).listNodes(ListNodesRequest.getDefaultInstance())
          .getNodesList().stream()
          .filter(n -> wereReady.contains(n.getId()))
          .filter(n -> n.getStatus().getState() == NodeStatus.State.DOWN).count();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static List<Task> runningTasks(ManagerProcess m, String serviceId) {
    try (var c = m.control()) {
      return ControlGrpc.newBlockingStub(c.channel()).listTasks(ListTasksRequest.newBuilder()
              .setFilters(ListTasksRequest.Filters.newBuilder().addServiceIds(serviceId)).build())
          .getTasksList().stream()
          .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
          .toList();
    }
  }

  /** One manager as a separate {@code swarmd} process, so its threads, CPU and heap are its own. */
  private static final class ManagerProcess {
    final String name;
    final String remote;
    final Path dir;
    final Path socket;
    final Path gcLog;
    final Process process;
    /** host:port of its metrics endpoint. */
    final String metrics;
    volatile String nodeId = "";
    private volatile long peakHeapMb;
    private Thread sampler;

    private ManagerProcess(String name, String remote, String metrics, Path dir, Process process) {
      this.name = name;
      this.remote = remote;
      this.metrics = metrics;
      this.dir = dir;
      this.socket = dir.resolve("swarm.sock");
      this.gcLog = dir.resolve("gc.log");
      this.process = process;
    }

    static ManagerProcess start(Path root, String name, String join, String token, String heap, String javaOpts,
        boolean jfr, String electionTick) throws IOException {
      Path dir = root.resolve(name);
      Files.createDirectories(dir);
      int remotePort = LocalPorts.freePair();
      int metricsPort;
      do { // not the remote port nor the Raft port next to it
        metricsPort = LocalPorts.freePair();
      } while (Math.abs(metricsPort - remotePort) <= 1);
      String remote = "127.0.0.1:" + remotePort;
      String metrics = "127.0.0.1:" + metricsPort;
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      // As the launcher runs swarmd: its options file, then SWARMD_JAVA_OPTS (here the bench's heap and
      // --manager-java-opts, by default G1 as the README advises for a large swarm); Serial GC unless
      // those name a GC.
      cmd.addAll(launcherOptions());
      if (!javaOpts.matches(".*-XX:\\+Use[A-Za-z0-9]+GC.*")) {
        cmd.add("-XX:+UseSerialGC");
      }
      cmd.add("-Xmx" + heap);
      if (!javaOpts.isBlank()) {
        cmd.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
      }
      cmd.add("-Xlog:gc:file=" + dir.resolve("gc.log"));
      cmd.add("-Dlogback.configurationFile=" + electionLogging(root));
      if (jfr) {
        cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + dir.resolve("run.jfr"));
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.swarmkit.swarmd.SwarmdMain",
          "--state-dir", dir.toString(), "--hostname", name, "--listen-remote-api", remote,
          "--listen-control-api", dir.resolve("swarm.sock").toString(), "--executor", "simulated",
          "--log-level", "warn", "--election-tick", electionTick, "--listen-metrics", metrics));
      if (!join.isEmpty()) {
        cmd.addAll(List.of("--join-addr", join, "--join-token", token));
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("swarmd.log").toFile()).start();
      return new ManagerProcess(name, remote, metrics, dir, p);
    }

    /**
     * swarmd's Logback configuration with elections and leadership changes logged at INFO (the managers
     * run at WARN otherwise): the failover's timeline is read from the survivors' logs.
     */
    static Path electionLogging(Path root) throws IOException {
      Path file = root.resolve("logback-elections.xml");
      if (!Files.exists(file)) {
        String xml = Files.readString(Path.of("swarmd", "src", "main", "resources", "logback.xml"));
        Files.writeString(file, xml.replace("  <root level=", String.join("\n",
            "  <logger name=\"org.apache.ratis.server.impl.LeaderElection\" level=\"INFO\"/>",
            "  <logger name=\"dev.swarmkit.store.raft.RaftNode\" level=\"INFO\"/>",
            "  <logger name=\"dev.swarmkit.store.raft.LeaderCrashDetector\" level=\"INFO\"/>",
            "  <logger name=\"dev.swarmkit.manager.Manager\" level=\"INFO\"/>",
            "  <root level=")));
      }
      return file;
    }

    /** Lines of this manager's log stamped at or after {@code since} (its HH:mm:ss.SSS stamps). */
    List<String> logSince(java.time.LocalTime since) throws IOException {
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("swarmd.log"))) {
        if (line.length() > 12 && line.charAt(2) == ':' && line.charAt(8) == '.') {
          try {
            if (!java.time.LocalTime.parse(line.substring(0, 12)).isBefore(since)) {
              out.add(line);
            }
          } catch (java.time.format.DateTimeParseException notAStamp) {
            // a continuation line
          }
        }
      }
      return out;
    }

    /** The options of swarmd/bin/swarmd.jvm-options, which both launchers pass to the JVM. */
    static List<String> launcherOptions() throws IOException {
      Path file = Path.of("swarmd", "bin", "swarmd.jvm-options");
      if (!Files.exists(file)) {
        throw new IllegalStateException("run from the repository root: " + file.toAbsolutePath() + " not found");
      }
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String options = line.replaceAll("#.*", "").trim();
        if (!options.isEmpty()) {
          out.addAll(Arrays.asList(options.split("\\s+")));
        }
      }
      return out;
    }

    UnixSocketChannels.Connection control() {
      return UnixSocketChannels.open(socket.toString(), false);
    }

    void awaitControl(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited; see " + dir.resolve("swarmd.log"));
        }
        if (Files.exists(socket)) {
          try (var c = control()) {
            ControlGrpc.newBlockingStub(c.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
                .listClusters(ListClustersRequest.getDefaultInstance());
            return;
          } catch (RuntimeException notYet) {
            // not serving yet
          }
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(name + " did not serve its control API");
    }

    int threads() {
      String[] tasks = new java.io.File("/proc/" + process.pid() + "/task").list();
      return tasks == null ? 0 : tasks.length;
    }

    long cpuTicks() throws IOException {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      return ThreadCpu.cpuTicks(stat);
    }

    /** Follows the GC log: the heap in use before each collection is the peak between collections. */
    void startGcSampling() {
      sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peakHeapMb = Math.max(peakHeapMb, scanGcLog()[0]);
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "gc-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    long peakHeapMb() {
      return Math.max(peakHeapMb, scanGcLog()[0]);
    }

    /** Forces a full GC through jcmd and reads the heap left after it from the GC log. */
    long heapAfterFullGcMb() throws IOException, InterruptedException {
      jcmd("GC.run");
      Thread.sleep(500);
      return scanGcLog()[1];
    }

    void dumpJfr(Path to) throws IOException, InterruptedException {
      jcmd("JFR.dump", "filename=" + to);
      System.err.println(name + " JFR recording: " + to);
    }

    private void jcmd(String... command) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(process.pid())));
      cmd.addAll(Arrays.asList(command));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        in.readAllBytes();
      }
      p.waitFor(60, TimeUnit.SECONDS);
    }

    /** {max heap before a GC, heap after the last GC} in MB. */
    private long[] scanGcLog() {
      long max = 0;
      long last = 0;
      try {
        for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
          Matcher m = GC_LINE.matcher(line);
          if (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
            last = Long.parseLong(m.group(2));
          }
        }
      } catch (IOException e) {
        // not written yet
      }
      return new long[] {max, last};
    }
  }

}
