package dev.swarmkit.swarmd;

import dev.swarmkit.api.util.GoDurations;
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

  @Option(names = "--log-format", defaultValue = "text",
      description = "Log format: text, or json (one object per line, as logrus' JSON formatter) (default: ${DEFAULT-VALUE}).")
  String logFormat;

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

  @Option(names = "--listen-debug", defaultValue = "",
      description = "Listen address of the debug endpoints (thread dump, heap histogram, JFR) at http://ADDR/debug/; "
          + "a bare port listens on 127.0.0.1.")
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

  @Option(names = "--external-ca", paramLabel = "protocol=cfssl,url=https://...",
      description = "External CA that signs node certificates, for a new swarm (repeatable).")
  java.util.List<String> externalCas = new java.util.ArrayList<>();

  @Option(names = "--autolock", description = "Create the swarm with autolock: managers need the unlock key to start.")
  boolean autolock;

  @Option(names = "--unlock-key", defaultValue = "", description = "Unlock key (SWMKEY-1-...) of this locked manager.")
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
    LogFormat.apply(logFormat);
    Optional<InetSocketAddress> metricsAddress = metricsAddress();
    Optional<InetSocketAddress> debugAddress = debugAddress();
    try (SwarmNode node = SwarmNode.start(config)) {
      if (metricsAddress.isPresent()) {
        node.serveMetrics(metricsAddress.get());
      }
      if (debugAddress.isPresent()) {
        node.serveDebug(debugAddress.get());
      }
      node.awaitShutdownSignal();
    }
    return 0;
  }

  /** Validates the flags; a flag whose feature is not built yet is refused rather than ignored. */
  SwarmdConfig toConfig() {
    metricsAddress();
    debugAddress();
    for (String ca : externalCas) {
      try {
        dev.swarmkit.flags.ExternalCaFlag.parse(ca);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "invalid --external-ca: " + e.getMessage());
      }
    }
    if (!externalCas.isEmpty() && !joinAddr.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--external-ca applies when a swarm is created; a joining node follows the swarm's setting");
    }
    if (autolock && !joinAddr.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--autolock applies when a swarm is created; a joining manager follows the swarm's setting");
    }
    if (!unlockKey.isEmpty()) {
      try {
        dev.swarmkit.ca.UnlockKeys.parse(unlockKey);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    // A node that joined already resumes from its certificates: --join-addr then only names a manager.
    if (!joinAddr.isEmpty() && joinToken.isEmpty()
        && !dev.swarmkit.ca.NodeCertificateFiles.inStateDir(stateDir).exist()) {
      throw new ParameterException(spec.commandLine(), "--join-addr needs --join-token: " + stateDir
          + " holds no node yet; copy a token from `swarmctl cluster inspect default` on a manager");
    }
    if (heartbeatTick < 1 || electionTick <= heartbeatTick) {
      throw new ParameterException(spec.commandLine(),
          "--election-tick must be greater than --heartbeat-tick, and both at least 1");
    }
    if (!LogFormat.valid(logFormat)) {
      throw new ParameterException(spec.commandLine(), "invalid --log-format " + logFormat + ": text or json");
    }
    if (!logLevel.matches("debug|info|warn|error|fatal|panic")) {
      throw new ParameterException(spec.commandLine(), "invalid --log-level " + logLevel);
    }
    Duration tick;
    try {
      tick = GoDurations.parseDuration(tickInterval);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid --tick-interval: " + e.getMessage());
    }
    if (tick.isNegative() || tick.isZero()) {
      throw new ParameterException(spec.commandLine(), "invalid --tick-interval: must be positive, got " + tickInterval);
    }
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        listenControlApi, engineAddr, genericNodeResources, forceNewCluster,
        tick.multipliedBy(heartbeatTick), tick.multipliedBy(electionTick), logLevel, executor,
        spec.commandLine().getParseResult() == null
            || spec.commandLine().getParseResult().hasMatchedOption("--listen-control-api"))
        .withLocking(autolock, unlockKey)
        .withExternalCas(externalCas);
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

  /** The --listen-debug address, if given (a bare port means 127.0.0.1); a malformed one is refused. */
  Optional<InetSocketAddress> debugAddress() {
    if (listenDebug.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(DebugServer.address(listenDebug));
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
