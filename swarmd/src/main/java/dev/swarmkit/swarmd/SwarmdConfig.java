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
    boolean controlSocketGiven) {

  /** The socket of a manager started by a promotion without --listen-control-api: inside the state dir. */
  public static final String PROMOTED_SOCKET = "swarmd.sock";

  /** Settings whose control socket was chosen explicitly. */
  public SwarmdConfig(Path stateDir, String joinAddr, String joinToken, String hostname, String listenRemoteApi,
      String advertiseRemoteApi, Path controlSocket, String engineAddr, String genericNodeResources,
      boolean forceNewCluster, Duration raftHeartbeat, Duration raftElectionTimeout, String logLevel,
      String executor) {
    this(stateDir, joinAddr, joinToken, hostname, listenRemoteApi, advertiseRemoteApi, controlSocket, engineAddr,
        genericNodeResources, forceNewCluster, raftHeartbeat, raftElectionTimeout, logLevel, executor, true);
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
