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
    boolean autolock,
    String unlockKey,
    java.util.List<String> externalCas) {

  public SwarmdConfig {
    externalCas = java.util.List.copyOf(externalCas);
  }

  /** Without autolock and unlock key. */
  public SwarmdConfig(Path stateDir, String joinAddr, String joinToken, String hostname, String listenRemoteApi,
      String advertiseRemoteApi, Path controlSocket, String engineAddr, String genericNodeResources,
      boolean forceNewCluster, Duration raftHeartbeat, Duration raftElectionTimeout, String logLevel,
      String executor) {
    this(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi, controlSocket, engineAddr,
        genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout, logLevel, executor, false, "",
        java.util.List.of());
  }

  /** The same settings with autolock (a new swarm) and the unlock key of a locked manager. */
  public SwarmdConfig withLocking(boolean autolockNewSwarm, String key) {
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        controlSocket, engineAddr, genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout,
        logLevel, executor, autolockNewSwarm, key, externalCas);
  }

  /** The same settings with the external CAs ({@code protocol=cfssl,url=...}) a new swarm starts with. */
  public SwarmdConfig withExternalCas(java.util.List<String> cas) {
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        controlSocket, engineAddr, genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout,
        logLevel, executor, autolock, unlockKey, cas);
  }

  public boolean joining() {
    return !joinAddr.isEmpty();
  }
}
