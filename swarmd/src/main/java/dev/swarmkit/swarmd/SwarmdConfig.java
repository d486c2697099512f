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
    String unlockKey) {

  /** Without autolock and unlock key. */
  public SwarmdConfig(Path stateDir, String joinAddr, String joinToken, String hostname, String listenRemoteApi,
      String advertiseRemoteApi, Path controlSocket, String engineAddr, String genericNodeResources,
      boolean forceNewCluster, Duration raftHeartbeat, Duration raftElectionTimeout, String logLevel,
      String executor) {
    this(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi, controlSocket, engineAddr,
        genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout, logLevel, executor, false, "");
  }

  /** The same settings with autolock (a new swarm) and the unlock key of a locked manager. */
  public SwarmdConfig withLocking(boolean autolockNewSwarm, String key) {
    return new SwarmdConfig(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi,
        controlSocket, engineAddr, genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout,
        logLevel, executor, autolockNewSwarm, key);
  }

  public boolean joining() {
    return !joinAddr.isEmpty();
  }
}
