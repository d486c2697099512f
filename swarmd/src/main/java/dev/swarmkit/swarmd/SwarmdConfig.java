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
    String executor) {

  public boolean joining() {
    return !joinAddr.isEmpty();
  }
}
