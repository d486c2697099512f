package dev.swarmkit.manager;

import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Peer;
import dev.swarmkit.api.WeightedPeer;
import dev.swarmkit.ca.AuthorizationInterceptor;
import dev.swarmkit.ca.CAServer;
import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.ExternalCASigner;
import dev.swarmkit.ca.ClusterSecurity;
import dev.swarmkit.ca.JoinToken;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.RemovedNodes;
import dev.swarmkit.ca.RootRotationReconciler;
import dev.swarmkit.ca.RootRotations;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.manager.controlapi.ClusterTokenRotator;
import dev.swarmkit.manager.controlapi.ControlService;
import dev.swarmkit.manager.controlapi.DefaultNetworks;
import dev.swarmkit.manager.allocator.Allocator;
import dev.swarmkit.manager.controlapi.NetworkDriverValidator;
import dev.swarmkit.manager.dispatcher.Dispatcher;
import dev.swarmkit.manager.health.HealthService;
import dev.swarmkit.manager.dispatcher.ManagerList;
import dev.swarmkit.manager.dispatcher.NodeIdentityResolver;
import dev.swarmkit.manager.logbroker.LogBroker;
import dev.swarmkit.manager.orchestrator.Orchestration;
import dev.swarmkit.manager.raft.RaftAddresses;
import dev.swarmkit.manager.resourceapi.ResourceAllocator;
import dev.swarmkit.manager.role.RoleManager;
import dev.swarmkit.manager.watchapi.WatchService;
import dev.swarmkit.scheduler.Scheduler;
import dev.swarmkit.store.By;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import dev.swarmkit.manager.metrics.GrpcServerMetrics;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manager: serves the remote API (CA, dispatcher, log broker) over mutual TLS and the Control API
 * on its Unix socket, and runs the leader-only components (orchestrators, scheduler, dispatcher) while
 * its replication says it leads.
 */
public final class Manager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Manager.class);
  /**
   * How long a call through this manager waits for a leader to be elected and reachable; with the
   * default timings an election takes 3-6 s, and quorum loss must be reported within 5 s.
   */
  static final Duration LEADER_WAIT = Duration.ofSeconds(4);

  private final ManagerConfig config;
  private final Replication replication;
  private final MemoryStore store;
  private final String clusterId;
  private final Dispatcher dispatcher;
  private final LogBroker logBroker;
  private final WatchService watchService;
  private final List<BindableService> extraRemoteServices = new ArrayList<>();
  private final ExecutorService leadershipLoop;
  private dev.swarmkit.manager.raft.PeerReachabilityLog peerLog;
  private StateChangeLog stateChanges;
  private Orchestration orchestration;
  private Scheduler scheduler;
  private Allocator allocator;
  private RoleManager roleManager;
  private RootRotationReconciler rootRotation;
  private Server remoteServer;
  private ControlSocketServer controlServer;
  private boolean leading;
  private final LeaderChannels leaderChannels;

  public Manager(ManagerConfig config, Replication replication) {
    this.config = config;
    this.replication = replication;
    this.store = replication.store();
    this.clusterId = config.security().identity().clusterId();
    NodeIdentityResolver callers = context -> caller(CallerIdentity.KEY.get(context));
    // Nodes are created by the CA when they join; the dispatcher must not resurrect removed ones.
    this.dispatcher = new Dispatcher(store, config.dispatcher()
        .withManagerNodeId(config.security().identity().nodeId())
        .withCreateUnknownNodes(false), callers, managerList());
    this.logBroker = new LogBroker(store, () -> caller(CallerIdentity.current().orElse(null)));
    this.watchService = new WatchService(store);
    this.leaderChannels = new LeaderChannels(
        addr -> SecureChannels.toManager(config.security(), RaftAddresses.socketAddress(addr)));
    String nodeId = config.security().identity().nodeId();
    this.leadershipLoop = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "leadership-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  /** Services of the remote API that this manager serves besides its own (e.g. raft membership). */
  public Manager withRemoteService(BindableService service) {
    extraRemoteServices.add(service);
    return this;
  }

  public MemoryStore store() {
    return store;
  }

  public Replication replication() {
    return replication;
  }

  /** Starts serving; leader-only components follow leadership from here on. */
  public Manager start() throws IOException {
    SecurityConfig security = config.security();
    AuthorizationInterceptor auth = AuthorizationInterceptor.forNode(security,
        RemovedNodes.blacklistOf(store, clusterId));
    NettyServerBuilder remote = SecureChannels.server(security, config.remoteListen())
        .maxInboundMessageSize(128 * 1024 * 1024)
        .intercept(GrpcServerMetrics.interceptor());
    remote.callExecutor(new LeaderInlineCalls(Set.of(DispatcherGrpc.getHeartbeatMethod().getFullMethodName(),
        DispatcherGrpc.getUpdateTaskStatusMethod().getFullMethodName()), replication::isLeader));
    LeaderForwarding forwarding = new LeaderForwarding(new LeaderForwarding.LeaderRoute() {
      @Override
      public boolean isLeader() {
        return replication.isLeader();
      }

      @Override
      public Optional<ManagedChannel> leaderChannel() {
        return Manager.this.leaderChannel();
      }

      @Override
      public String unavailableReason() {
        return replication.unavailableReason();
      }
    }, LEADER_WAIT);
    // Issuing certificates writes to the store: a follower relays joins, renewals and the unlock
    // key to the leader, as the original caller; the root certificate it serves from its replica.
    // Services relayed to the leader with the caller's identity, served on both the remote API and
    // the control socket (upstream's local server serves the same set).
    List<ServerServiceDefinition> callerServices = new ArrayList<>();
    // External CAs the cluster names are reached with this manager's certificate, trusting the root.
    CAServer ca = new CAServer(store, clusterId, CAServer.Options.defaults(), new ExternalCASigner(security));
    for (BindableService s : ca.services()) {
      callerServices.add(forwarding.wrapForwardingCaller(s.bindService(),
          Set.of(CAGrpc.getGetRootCACertificateMethod().getFullMethodName())));
    }
    // Agents may keep a session with any manager: a follower relays it, and the agent's log broker
    // calls, to the leader.
    callerServices.add(forwarding.wrapForwardingCaller(dispatcher.service()));
    callerServices.add(forwarding.wrapForwardingCaller(logBroker.brokerService().bindService()));
    callerServices.add(forwarding.wrapForwardingCaller(new ResourceAllocator(store).bindService()));
    ControlService control = new ControlService(store, replication.membership(), tokenRotator(),
        RootRotations::reconcile, NetworkDriverValidator.bridgePerNode());
    List<ServerServiceDefinition> leaderServices = List.of(forwarding.wrapWithLocalReads(control::definition),
        forwarding.wrap(watchService), forwarding.wrap(logBroker.logsService()));
    ServerServiceDefinition health = new HealthService().bindService();
    for (ServerServiceDefinition s : callerServices) {
      remote.addService(ServerInterceptors.intercept(s, auth));
    }
    for (ServerServiceDefinition s : leaderServices) {
      remote.addService(ServerInterceptors.intercept(s, auth));
    }
    for (BindableService s : extraRemoteServices) {
      remote.addService(SecureChannels.authorized(s, auth));
    }
    remote.addService(ServerInterceptors.intercept(health, auth));
    // A new swarm's cluster object exists before the first client can ask for it (otherwise the
    // leadership loop writes it a moment after start() returns, and an early "cluster inspect" fails).
    if (replication.isLeader()) {
      bootstrapClusterObjects();
    }
    remoteServer = remote.build().start();
    GrpcServerMetrics.initialize(remoteServer.getServices());
    log.info("remote API listening on {}", config.remoteListen());

    LocalCaller local = new LocalCaller(security::identity, config.advertiseAddr());
    List<ServerServiceDefinition> socketServices = new ArrayList<>();
    socketServices.addAll(leaderServices);
    socketServices.addAll(callerServices);
    socketServices.add(health);
    controlServer = ControlSocketServer.start(config.controlSocket(), security.serverSslContext(),
        socketServices.stream().map(s -> ServerInterceptors.intercept(s, local)).toList());

    peerLog = new dev.swarmkit.manager.raft.PeerReachabilityLog(replication.membership(),
        java.time.Duration.ofSeconds(30), System::nanoTime).start();
    replication.onLeadershipChange(leader -> {
      // Raft reports the loss of leadership while it shuts down, after this manager's loop has.
      if (!leadershipLoop.isShutdown()) {
        leadershipLoop.execute(() -> leadershipChanged(leader));
      }
    });
    return this;
  }

  /** A channel to the current leader's remote API, if another manager leads. */
  private Optional<ManagedChannel> leaderChannel() {
    Optional<String> leaderAddr = replication.membership().members().stream()
        .filter(m -> m.status().getLeader())
        .map(m -> m.status().getAddr())
        .findFirst();
    return leaderAddr.map(leaderChannels::to);
  }

  /** The port the remote API listens on (useful when configured with port 0). */
  public int remotePort() {
    return remoteServer.getPort();
  }

  /** How long each leader component took to start, for the log: a failover waits for all of them. */
  private static final class StartupTimes {
    private final long started = System.nanoTime();
    private final StringBuilder steps = new StringBuilder();

    void step(String name, Runnable start) {
      long t = System.nanoTime();
      start.run();
      steps.append(steps.length() == 0 ? "" : ", ").append(name).append(' ')
          .append((System.nanoTime() - t) / 1_000_000);
    }

    @Override
    public String toString() {
      return (System.nanoTime() - started) / 1_000_000 + " ms (" + steps + ")";
    }
  }

  private void leadershipChanged(boolean leader) {
    if (leader == leading) {
      return;
    }
    leading = leader;
    if (leader) {
      log.info("became leader: starting orchestrators, scheduler and dispatcher");
      StartupTimes times = new StartupTimes();
      times.step("cluster objects", this::bootstrapClusterObjects);
      orchestration = new Orchestration(store);
      allocator = new Allocator(store);
      scheduler = new Scheduler(store);
      times.step("allocator", allocator::start);
      stateChanges = new StateChangeLog(store);
      times.step("state change log", stateChanges::start);
      times.step("orchestrators", orchestration::start);
      times.step("scheduler", scheduler::start);
      times.step("dispatcher", dispatcher::start);
      times.step("log broker", logBroker::start);
      times.step("role manager", () -> roleManager = RoleManager.forReplication(store, replication).start());
      times.step("root rotation", () -> rootRotation = new RootRotationReconciler(store, clusterId).start());
      log.info("leader components started in {}", times);
    } else {
      log.info("lost leadership: stopping leader-only components");
      stopLeaderComponents();
    }
  }

  private void stopLeaderComponents() {
    if (rootRotation != null) {
      rootRotation.close();
      rootRotation = null;
    }
    if (stateChanges != null) {
      stateChanges.stop();
      stateChanges = null;
    }
    if (roleManager != null) {
      roleManager.close();
      roleManager = null;
    }
    dispatcher.stop();
    logBroker.stop();
    if (scheduler != null) {
      scheduler.stop();
      scheduler = null;
    }
    if (orchestration != null) {
      orchestration.stop();
      orchestration = null;
    }
    if (allocator != null) {
      allocator.stop();
      allocator = null;
    }
  }

  /** A new swarm's first leader writes the cluster object, its own node object and the ingress network. */
  private void bootstrapClusterObjects() {
    config.bootstrapCluster().ifPresent(cluster -> {
      try {
        store.update(tx -> {
          if (tx.get(Table.CLUSTERS, cluster.getId()).isEmpty()) {
            tx.create(Table.CLUSTERS, cluster);
          }
          Node self = ClusterSecurity.nodeFor(config.security());
          if (tx.get(Table.NODES, self.getId()).isEmpty()) {
            tx.create(Table.NODES, self);
          }
          if (tx.find(Table.NETWORKS, By.name("ingress")).isEmpty()) {
            tx.create(Table.NETWORKS, DefaultNetworks.ingress());
          }
        });
      } catch (StoreException e) {
        log.error("could not create the cluster objects", e);
      }
    });
  }

  private ManagerList managerList() {
    return () -> replication.membership().members().stream()
        .filter(m -> !m.status().getAddr().isEmpty())
        .map(m -> WeightedPeer.newBuilder()
            .setPeer(Peer.newBuilder().setNodeId(m.nodeId()).setAddr(m.status().getAddr()))
            .setWeight(ManagerList.DEFAULT_WEIGHT)
            .build())
        .toList();
  }

  private static ClusterTokenRotator tokenRotator() {
    return (Cluster cluster) -> {
      try {
        return JoinToken.generate(ClusterSecurity.fromApi(cluster.getRootCa()));
      } catch (CertificateException e) {
        throw Status.INTERNAL.withDescription("cluster root CA is unreadable: " + e.getMessage())
            .asRuntimeException();
      }
    };
  }

  private static String caller(NodeIdentity identity) {
    if (identity == null) {
      throw Status.PERMISSION_DENIED.withDescription("caller presented no node certificate")
          .asRuntimeException();
    }
    return identity.nodeId();
  }

  @Override
  public void close() {
    if (peerLog != null) {
      peerLog.close();
    }
    // A follower (e.g. a demoted manager) never started the leader-only components.
    leadershipLoop.execute(() -> {
      if (leading) {
        leading = false;
        stopLeaderComponents();
      }
    });
    leadershipLoop.shutdown();
    try {
      leadershipLoop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (controlServer != null) {
      controlServer.close();
    }
    if (remoteServer != null) {
      remoteServer.shutdownNow();
      try {
        remoteServer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    watchService.close();
    leaderChannels.close();
    replication.close();
  }
}
