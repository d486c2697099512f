package dev.swarmkit.swarmd;

import java.nio.file.Path;
import java.time.Duration;

/** Validated settings of one swarmd node. */
public record SwarmdConfig(
    Path stateDir,
    String joinAddr,
    String joinToken,
    String hostname,
    String listenRemoteApi,
    String advertiseRemoteApi,
    Path controlSocket,
    String engineAddr,
    String genericNodeResources,
    boolean forceNewCluster,
    Duration raftHeartbeat,
    Duration raftElectionTimeout,
    String logLevel,
    String executor,
    boolean controlSocketGiven,
    boolean autolock,
    String unlockKey,
    java.util.List<String> externalCas) {

  /** The socket of a manager started by a promotion without --listen-control-api: inside the state dir. */
  public static final String PROMOTED_SOCKET = "swarmd.sock";

  public SwarmdConfig {
    externalCas = java.util.List.copyOf(externalCas);
  }

  /** Settings whose control socket was chosen explicitly, without autolock, unlock key or external CAs. */
  public SwarmdConfig(Path stateDir, String joinAddr, String joinToken, String hostname, String listenRemoteApi,
      String advertiseRemoteApi, Path controlSocket, String engineAddr, String genericNodeResources,
      boolean forceNewCluster, Duration raftHeartbeat, Duration raftElectionTimeout, String logLevel,
      String executor) {
    this(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi, controlSocket, engineAddr,
        genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout, logLevel, executor, true);
  }

  /** Without autolock, unlock key or external CAs; {@code controlSocketGiven} as the flags say. */
  public SwarmdConfig(Path stateDir, String joinAddr, String joinToken, String hostname, String listenRemoteApi,
      String advertiseRemoteApi, Path controlSocket, String engineAddr, String genericNodeResources,
      boolean forceNewCluster, Duration raftHeartbeat, Duration raftElectionTimeout, String logLevel,
      String executor, boolean controlSocketGiven) {
    this(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi, controlSocket, engineAddr,
        genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout, logLevel, executor,
        controlSocketGiven, false, "", java.util.List.of());
  }

  /** The same settings with autolock (a new swarm) and the unlock key of a locked manager. */
  public SwarmdConfig withLocking(boolean autolockNewSwarm, String key) {
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        controlSocket, engineAddr, genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout,
        logLevel, executor, controlSocketGiven, autolockNewSwarm, key, externalCas);
  }

  /** The same settings with the external CAs ({@code protocol=cfssl,url=...}) a new swarm starts with. */
  public SwarmdConfig withExternalCas(java.util.List<String> cas) {
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        controlSocket, engineAddr, genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout,
        logLevel, executor, controlSocketGiven, autolock, unlockKey, cas);
  }

  /**
   * Where a manager started by a promotion serves the Control API: the given socket, or
   * {@code <state-dir>/swarmd.sock} so that it never silently takes the shared default path.
   */
  public Path promotedControlSocket() {
    return controlSocketGiven ? controlSocket : stateDir.resolve(PROMOTED_SOCKET);
  }

  public boolean joining() {
    return !joinAddr.isEmpty();
  }
}
