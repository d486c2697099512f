package dev.swarmkit.swarmd;

import dev.swarmkit.agent.Agent;
import dev.swarmkit.agent.AgentConfig;
import dev.swarmkit.agent.ChannelFactory;
import dev.swarmkit.agent.GenericResources;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.testing.SimulatedExecutor;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.ca.CertificateRequester;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.RenewalSupervisor;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.executor.docker.DockerExecutor;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import dev.swarmkit.manager.Manager;
import dev.swarmkit.manager.ManagerConfig;
import dev.swarmkit.manager.Replication;
import dev.swarmkit.manager.dispatcher.DispatcherOptions;
import dev.swarmkit.manager.raft.RaftDataKeysService;
import dev.swarmkit.manager.raft.RaftMembershipService;
import dev.swarmkit.manager.raft.RaftReplication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.List;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One swarmd node: its identity on disk, a manager when its certificate says so, and always an
 * agent (managers take tasks too, unless drained).
 */
public final class SwarmNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SwarmNode.class);

  private final SwarmdConfig config;
  private final SecurityConfig security;
  private final RoleSupervisor roles;
  private final Agent agent;
  private final RenewalSupervisor renewal;
  private final Executor executor;
  private final CountDownLatch shutdown;
  private final AtomicReference<String> failure;
  private boolean closed;
  private MetricsServer metrics;
  private DebugServer debug;

  private SwarmNode(SwarmdConfig config, SecurityConfig security, RoleSupervisor roles, Agent agent,
      RenewalSupervisor renewal, Executor executor, CountDownLatch shutdown, AtomicReference<String> failure) {
    this.shutdown = shutdown;
    this.failure = failure;
    this.config = config;
    this.security = security;
    this.roles = roles;
    this.agent = agent;
    this.renewal = renewal;
    this.executor = executor;
  }

  /** Builds the node's identity (new cluster, join, or restart from disk) and starts it. */
  public static SwarmNode start(SwarmdConfig config) throws Exception {
    return start(config, ReplicationFactory.DEFAULT);
  }

  public static SwarmNode start(SwarmdConfig config, ReplicationFactory replications) throws Exception {
    InetSocketAddress listen;
    try {
      listen = Addresses.parse(config.listenRemoteApi(), "--listen-remote-api");
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    // Whatever this start adds to the state dir is removed again if it fails or is stopped midway.
    StateDirGuard guard = StateDirGuard.open(config.stateDir());
    try {
      SwarmNode node = start(config, replications, listen);
      guard.commit();
      return node;
    } catch (StartupException e) {
      guard.close();
      throw e;
    } catch (Exception e) {
      guard.close();
      if (StateDirGuard.isNoSpace(e)) {
        throw new StartupException("-d " + config.stateDir() + ": no space left on device; free some space "
            + "or use -d on another file system", e);
      }
      throw e;
    }
  }

  private static SwarmNode start(SwarmdConfig config, ReplicationFactory replications, InetSocketAddress listen)
      throws Exception {
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(config.stateDir());
    boolean newCluster = !files.exist() && !config.joining();
    if (newCluster) {
      ListenPorts.check(config.listenRemoteApi(), listen);
    }
    NodeBootstrap identity = NodeBootstrap.loadOrCreate(config, files);
    SecurityConfig security = identity.security();
    Optional<Cluster> bootstrap = identity.bootstrapCluster();
    MDC.put("node.id", security.identity().nodeId());
    NodeIdConverter.setProcessNodeId(security.identity().nodeId());

    boolean isManager = Roles.MANAGER.equals(security.identity().role());
    if (isManager && !newCluster) {
      ListenPorts.check(config.listenRemoteApi(), listen);
    }
    List<String> remembered = Agent.rememberedManagers(config.stateDir());
    if (!isManager && !config.joining() && remembered.isEmpty()) {
      throw new StartupException("-d " + config.stateDir() + ": this worker remembers no manager ("
          + config.stateDir().resolve("state.json") + " lists none); start it with --join-addr <a manager's "
          + "remote API address>");
    }
    CountDownLatch shutdown = new CountDownLatch(1);
    AtomicReference<String> failure = new AtomicReference<>();
    Manager manager = null;
    String advertise = advertiseAddress(config, listen, isManager);
    if (isManager) {
      manager = startManager(config, security, files, replications, listen, advertise, bootstrap);
      if (listen.getPort() == 0) {
        advertise = listen.getHostString() + ":" + manager.remotePort();
      }
    }
    String self = advertise;

    // A promotion starts a manager that joins Raft through the manager the agent is connected to.
    AtomicReference<Agent> agentRef = new AtomicReference<>();
    Supplier<Optional<String>> sessionManager = () -> Optional.ofNullable(agentRef.get())
        .flatMap(Agent::currentManager);
    RoleSupervisor roles = new RoleSupervisor(config.stateDir(), security, manager,
        new RoleSupervisor.ManagerLauncher() {
          @Override
          public Manager launch(String joinAddr) throws Exception {
            // Never the shared default socket unless asked for: see SwarmdConfig.promotedControlSocket.
            log.info("promoted to manager: control API on {}", config.promotedControlSocket());
            return startManager(withJoinAddr(config, joinAddr), security, files, replications, listen, self,
                Optional.empty());
          }

          @Override
          public void demoted() throws IOException {
            // A worker holds no Raft data and needs no unlock key (upstream: workers are never locked).
            files.saveRaftDataKeys(null);
            files.relock(null, 0);
          }
        },
        () -> sessionManager.get().or(() -> config.joining() ? Optional.of(config.joinAddr()) : Optional.empty()));

    // While a manager runs, its agent follows the Raft members; otherwise the join address, or the
    // other managers last seen while this node was one (a demoted first manager has no join address).
    AtomicReference<List<String>> otherManagers = new AtomicReference<>(
        config.joining() ? List.of(config.joinAddr()) : List.of());
    // Without a join address a worker starts from the managers remembered in its state dir.
    Supplier<List<String>> seeds = () -> roles.manager().map(m -> {
      List<String> all = managersLeaderFirst(m, self).get();
      List<String> others = all.stream().filter(a -> !a.equals(self)).toList();
      if (!others.isEmpty()) {
        otherManagers.set(others);
      }
      return all;
    }).orElseGet(otherManagers::get);
    ChannelFactory channels = address -> SecureChannels.toManager(security, Addresses.parse(address, "manager"));
    Executor engine = executor(config);
    Executor executor = HostnameOverride.wrap(engine, config.hostname());
    Agent agent = new Agent(AgentConfig.of(config.stateDir(), seeds, executor, channels,
        GenericResources.parse(config.genericNodeResources())));
    agentRef.set(agent);
    AtomicReference<RenewalSupervisor> renewalRef = new AtomicReference<>();
    RootRotationFollower rotation = new RootRotationFollower(security, files, renewalRef::get);
    agent.onNodeChange((node, rootCa) -> {
      roles.nodeChanged(node);
      rotation.nodeChanged(node, rootCa);
    });
    // A component that stops for good ends the node (and the process) with its reason.
    agent.onFatal(reason -> {
      failure.compareAndSet(null, reason);
      shutdown.countDown();
    });
    roles.onFatal(reason -> {
      failure.compareAndSet(null, reason);
      shutdown.countDown();
    });
    agent.start();

    // Certificates are issued by the leader (the CA writes the node object); the agent's session is
    // with the leader's dispatcher.
    Supplier<InetSocketAddress> renewVia = () -> Addresses.parse(sessionManager.get()
        .or(() -> seeds.get().stream().findFirst())
        .orElseThrow(() -> new IllegalStateException("no manager known to renew the certificate with")),
        "manager");
    RenewalSupervisor renewal = new RenewalSupervisor(security, renewVia, files,
        new CertificateRequester(), RenewalSupervisor.Options.defaults()).start();
    renewalRef.set(renewal);
    roles.start(renewal);
    return new SwarmNode(config, security, roles, agent, renewal, engine, shutdown, failure);
  }

  private static Manager startManager(SwarmdConfig config, SecurityConfig security, NodeCertificateFiles files,
      ReplicationFactory replications, InetSocketAddress listen, String advertise, Optional<Cluster> bootstrap)
      throws Exception {
    Replication replication = replications.create(config, security, files, advertise, bootstrap.isPresent());
    Manager manager = new Manager(new ManagerConfig(security, listen, advertise, config.controlSocket(),
        DispatcherOptions.defaults(), bootstrap), replication);
    if (replication instanceof RaftReplication raft) {
      manager.withRemoteService(new RaftMembershipService(raft.raft(), security));
      manager.withRemoteService(new RaftDataKeysService(raft.raft().encryption()));
    }
    try {
      manager.start();
      if (replication instanceof RaftReplication raft) {
        KeyFileLocker.start(raft.store(), files, raft.raft());
      }
      return manager;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The configuration of a promoted node's manager: it joins Raft through {@code joinAddr}, never forces. */
  private static SwarmdConfig withJoinAddr(SwarmdConfig c, String joinAddr) {
    return new SwarmdConfig(c.stateDir(), joinAddr, c.joinToken(), c.hostname(), c.listenRemoteApi(),
        c.advertiseRemoteApi(), c.promotedControlSocket(), c.engineAddr(), c.genericNodeResources(),
        false, c.raftHeartbeat(), c.raftElectionTimeout(), c.logLevel(), c.executor(), true);
  }

  /**
   * The managers a manager's own agent may use, the leader first: only the leader's dispatcher
   * serves sessions, so starting there avoids a round of refusals.
   */
  private static Supplier<List<String>> managersLeaderFirst(Manager manager, String self) {
    return () -> {
      List<String> addrs = manager.replication().membership().members().stream()
          .sorted(Comparator.comparing(m -> !m.status().getLeader()))
          .map(m -> m.status().getAddr())
          .filter(a -> !a.isEmpty())
          .toList();
      return addrs.isEmpty() ? List.of(self) : addrs;
    };
  }

  /** The address other nodes reach this node's remote API at; only a manager (or a promoted worker) serves one. */
  private static String advertiseAddress(SwarmdConfig config, InetSocketAddress listen, boolean isManager) {
    if (!config.advertiseRemoteApi().isEmpty()) {
      return config.advertiseRemoteApi();
    }
    if (listen.getAddress() != null && listen.getAddress().isAnyLocalAddress()) {
      if (!isManager) {
        return "127.0.0.1:" + listen.getPort(); // used only if this worker is promoted: no warning now
      }
      log.warn("--listen-remote-api {} is a wildcard address; advertising 127.0.0.1:{} (set "
          + "--advertise-remote-api for nodes on other hosts)", config.listenRemoteApi(), listen.getPort());
      return "127.0.0.1:" + listen.getPort();
    }
    return Addresses.format(listen);
  }

  private static Executor executor(SwarmdConfig config) throws UnknownHostException {
    return switch (config.executor()) {
      case "simulated" -> new SimulatedExecutor(
          config.hostname().isEmpty() ? InetAddress.getLocalHost().getHostName() : config.hostname());
      case "docker" -> new DockerExecutor(
          DockerExecutorConfig.defaults().withEngineAddress(URI.create(config.engineAddr())));
      default -> throw new IllegalArgumentException("unknown executor " + config.executor());
    };
  }

  public String nodeId() {
    return security.identity().nodeId();
  }

  /** The manager running on this node: present while its certificate says manager. */
  public Optional<Manager> manager() {
    return roles.manager();
  }

  /** This node's TLS identity (its certificate follows promotions and demotions). */
  public SecurityConfig security() {
    return security;
  }

  public Agent agent() {
    return agent;
  }

  /**
   * Serves this node's metrics at {@code http://address/metrics} until the node closes: the JVM and
   * process families and the node's own always, the cluster gauges while this node runs a manager.
   */
  public synchronized MetricsServer serveMetrics(InetSocketAddress address) throws IOException {
    if (metrics != null) {
      throw new IllegalStateException("metrics are already served on port " + metrics.port());
    }
    metrics = MetricsServer.start(address, new NodeMetrics(security::identity, this::manager));
    return metrics;
  }

  /** Serves the debug endpoints (--listen-debug) at {@code http://address/debug/} until the node closes. */
  public synchronized DebugServer serveDebug(InetSocketAddress address) throws IOException {
    if (debug != null) {
      throw new IllegalStateException("debug endpoints are already served on port " + debug.port());
    }
    debug = DebugServer.start(address);
    return debug;
  }

  /**
   * Blocks until SIGTERM/SIGINT (the JVM's shutdown hook), {@link #close}, or a component stopping for
   * good; in the last case the node is closed and a {@link StartupException} carries the reason.
   */
  public void awaitShutdownSignal() throws InterruptedException {
    Thread hook = new Thread(this::close, "swarmd-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdown.await();
    String reason = failure.get();
    if (reason != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      close();
      throw new StartupException(reason);
    }
  }

  /** Why a component stopped the node for good (e.g. it was removed from the swarm), if it did. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("shutting down node {}", nodeId());
    if (metrics != null) {
      metrics.close();
    }
    if (debug != null) {
      debug.close();
    }
    renewal.close();
    agent.close();
    roles.close();
    // The Docker executor holds an engine connection and its event stream; containers keep running.
    if (executor instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing the executor failed", e);
      }
    }
    shutdown.countDown();
  }

  /** Creates the manager's replicated store: its Raft member. */
  @FunctionalInterface
  public interface ReplicationFactory {
    Replication create(SwarmdConfig config, SecurityConfig security, NodeCertificateFiles files,
        String advertiseAddr, boolean newCluster) throws IOException;

    ReplicationFactory DEFAULT = ManagerRaft::open;
  }
}
