package dev.swarmkit.swarmd;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The flags of swarmd, as upstream's; {@link #call} validates them and runs the node. */
@Command(name = "swarmd", mixinStandardHelpOptions = false, sortOptions = false,
    description = "Run a swarm node: a manager (no --join-addr, or a manager join token) or a worker.")
public final class SwarmdCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-v", "--version"}, description = "Print the version and exit.")
  boolean version;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = {"-l", "--log-level"}, defaultValue = "info",
      description = "Log level: debug, info, warn, error, fatal, panic (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(names = {"-d", "--state-dir"}, defaultValue = "/var/lib/swarmd",
      description = "Where this node keeps its identity, certificates, raft log and task database (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--join-token", defaultValue = "", description = "Join token of the swarm to join.")
  String joinToken;

  @Option(names = "--engine-addr", defaultValue = "unix:///var/run/docker.sock",
      description = "Docker engine of this node's agent (default: ${DEFAULT-VALUE}).")
  String engineAddr;

  @Option(names = "--hostname", defaultValue = "", description = "Hostname to report instead of the machine's.")
  String hostname;

  @Option(names = "--advertise-remote-api", defaultValue = "",
      description = "Address other nodes use to reach this manager's remote API.")
  String advertiseRemoteApi;

  @Option(names = "--listen-remote-api", defaultValue = "0.0.0.0:4242",
      description = "Address of the remote API, gRPC over mutual TLS (default: ${DEFAULT-VALUE}).")
  String listenRemoteApi;

  @Option(names = "--listen-control-api", defaultValue = "/var/run/swarmd.sock",
      description = "Unix socket of the Control API (default: ${DEFAULT-VALUE}).")
  Path listenControlApi;

  @Option(names = "--listen-debug", defaultValue = "", description = "Debug server address (not supported yet).")
  String listenDebug;

  @Option(names = "--listen-metrics", defaultValue = "",
      description = "Listen address for metrics: Prometheus text format at http://ADDR/metrics.")
  String listenMetrics;

  @Option(names = "--join-addr", defaultValue = "", description = "Join the swarm through the manager at this address.")
  String joinAddr;

  @Option(names = "--generic-node-resources", defaultValue = "",
      description = "User-defined resources, e.g. fpga=2,gpu=UUID1,gpu=UUID2.")
  String genericNodeResources;

  @Option(names = "--force-new-cluster", description = "Start a new single-manager cluster from this manager's data.")
  boolean forceNewCluster;

  @Option(names = "--heartbeat-tick", defaultValue = "1",
      description = "Raft heartbeat interval, in ticks (default: ${DEFAULT-VALUE}).")
  int heartbeatTick;

  @Option(names = "--election-tick", defaultValue = "10",
      description = "Ticks without a leader before an election (default: ${DEFAULT-VALUE}).")
  int electionTick;

  // Upstream's tick is 1s, so its 10-tick election timeout leaves a cluster without a leader for 10-20 s
  // after a leader dies. With 300ms ticks the same tick counts elect in 3-6 s, and a leader still
  // heartbeats every 1.5 s (half the election timeout), far above a loaded machine's scheduling hiccups.
  @Option(names = "--tick-interval", defaultValue = "300ms",
      description = "Length of one raft tick (default: ${DEFAULT-VALUE}; upstream's is 1s).")
  String tickInterval;

  @Option(names = "--external-ca", description = "External certificate signing endpoint (not supported yet).")
  String externalCa;

  @Option(names = "--autolock", description = "Require an unlock key to start a manager (not supported yet).")
  boolean autolock;

  @Option(names = "--unlock-key", defaultValue = "", description = "Unlock key of this manager (not supported yet).")
  String unlockKey;

  @Option(names = "--executor", defaultValue = "docker", hidden = true,
      description = "Task executor: docker (default), or simulated for tests and demos without Docker.")
  String executor;

  @Override
  public Integer call() throws Exception {
    if (version) {
      spec.commandLine().getOut().println("swarmd " + Version.current());
      return 0;
    }
    SwarmdConfig config = toConfig();
    LogLevels.apply(config.logLevel());
    Optional<InetSocketAddress> metricsAddress = metricsAddress();
    try (SwarmNode node = SwarmNode.start(config)) {
      if (metricsAddress.isPresent()) {
        node.serveMetrics(metricsAddress.get());
      }
      node.awaitShutdownSignal();
    }
    return 0;
  }

  /** Validates the flags; a flag whose feature is not built yet is refused rather than ignored. */
  SwarmdConfig toConfig() {
    refuseUnsupported("--listen-debug", !listenDebug.isEmpty());
    metricsAddress();
    refuseUnsupported("--external-ca", externalCa != null && !externalCa.isEmpty());
    refuseUnsupported("--autolock", autolock);
    refuseUnsupported("--unlock-key", !unlockKey.isEmpty());
    if (!joinAddr.isEmpty() && joinToken.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--join-addr needs --join-token");
    }
    if (heartbeatTick < 1 || electionTick <= heartbeatTick) {
      throw new ParameterException(spec.commandLine(),
          "--election-tick must be greater than --heartbeat-tick, and both at least 1");
    }
    if (!logLevel.matches("debug|info|warn|error|fatal|panic")) {
      throw new ParameterException(spec.commandLine(), "invalid --log-level " + logLevel);
    }
    Duration tick;
    try {
      tick = Durations.parse(tickInterval);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid --tick-interval: " + e.getMessage());
    }
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        listenControlApi, engineAddr, genericNodeResources, forceNewCluster,
        tick.multipliedBy(heartbeatTick), tick.multipliedBy(electionTick), logLevel, executor);
  }

  /** The --listen-metrics address, if given; a malformed one is refused like any bad flag. */
  Optional<InetSocketAddress> metricsAddress() {
    if (listenMetrics.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Addresses.parse(listenMetrics, "--listen-metrics"));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private void refuseUnsupported(String flag, boolean given) {
    if (given) {
      throw new ParameterException(spec.commandLine(), flag + " is not supported yet");
    }
  }
}
