package dev.swarmkit.store.raft;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * How one manager's Raft member runs.
 *
 * <p>{@code raftId} is the member's Raft-level ID (upstream: a random non-zero uint64 chosen when the
 * member is created, kept for its lifetime; see {@link #newRaftId()}); the Ratis peer ID is its hex
 * form. {@code listenAddress} is the host:port the Ratis gRPC transport binds, {@code
 * advertiseAddress} the host:port other members dial. Ratis sends heartbeats at half the minimum
 * election timeout, so {@code heartbeatInterval} raises the minimum election timeout to at least twice
 * itself. Every {@code snapshotInterval} applied entries a snapshot is written and the log before it
 * purged, keeping {@code logEntriesForSlowFollowers} entries so a slightly lagging member does not
 * need a whole snapshot (upstream SnapshotInterval 10000 and LogEntriesForSlowFollowers 500). {@code
 * tls}, when present, secures every Raft connection (server, client and admin) with mutual TLS.
 */
public record RaftConfig(
    Path stateDir,
    long raftId,
    String nodeId,
    String listenAddress,
    String advertiseAddress,
    Duration heartbeatInterval,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotInterval,
    long logEntriesForSlowFollowers,
    long logSegmentBytes,
    Duration proposeTimeout,
    Optional<GrpcTlsConfig> tls,
    RaftEncryption encryption) {

  public static final long DEFAULT_SNAPSHOT_INTERVAL = 10_000;
  public static final long DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 500;

  public RaftConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(encryption, "encryption");
    if (raftId == 0) {
      throw new IllegalArgumentException("raft ID must be non-zero");
    }
    if (advertiseAddress == null || advertiseAddress.isEmpty()) {
      advertiseAddress = listenAddress;
    }
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException("election timeout max must exceed min");
    }
    if (snapshotInterval < 1) {
      throw new IllegalArgumentException("snapshot interval must be positive");
    }
  }

  /**
   * Production defaults as upstream (1s ticks: heartbeat 1 tick, election 10 ticks) for a member
   * listening and advertising on {@code address}.
   */
  public static RaftConfig defaults(Path stateDir, long raftId, String nodeId, String address) {
    return new RaftConfig(stateDir, raftId, nodeId, address, address, Duration.ofSeconds(1),
        Duration.ofSeconds(10), Duration.ofSeconds(15), DEFAULT_SNAPSHOT_INTERVAL,
        DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS, 8L * 1024 * 1024, Duration.ofSeconds(20), Optional.empty(),
        RaftEncryption.plaintext());
  }

  public RaftConfig withTimeouts(Duration heartbeat, Duration electionMin, Duration electionMax) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, advertiseAddress, heartbeat, electionMin,
        electionMax, snapshotInterval, logEntriesForSlowFollowers, logSegmentBytes, proposeTimeout, tls, encryption);
  }

  /** Snapshot every {@code interval} entries, keep {@code keep} entries behind it, cut log segments at {@code segmentBytes}. */
  public RaftConfig withSnapshots(long interval, long keep, long segmentBytes) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, advertiseAddress, heartbeatInterval,
        electionTimeoutMin, electionTimeoutMax, interval, keep, segmentBytes, proposeTimeout, tls, encryption);
  }

  public RaftConfig withProposeTimeout(Duration timeout) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, advertiseAddress, heartbeatInterval,
        electionTimeoutMin, electionTimeoutMax, snapshotInterval, logEntriesForSlowFollowers, logSegmentBytes,
        timeout, tls, encryption);
  }

  public RaftConfig withTls(GrpcTlsConfig tlsConfig) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, advertiseAddress, heartbeatInterval,
        electionTimeoutMin, electionTimeoutMax, snapshotInterval, logEntriesForSlowFollowers, logSegmentBytes,
        proposeTimeout, Optional.of(tlsConfig), encryption);
  }

  /** Seals log payloads and snapshots with these data keys (every manager of the cluster holds them). */
  public RaftConfig withEncryption(RaftEncryption raftEncryption) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, advertiseAddress, heartbeatInterval,
        electionTimeoutMin, electionTimeoutMax, snapshotInterval, logEntriesForSlowFollowers, logSegmentBytes,
        proposeTimeout, tls, raftEncryption);
  }

  public RaftConfig withAdvertiseAddress(String address) {
    return new RaftConfig(stateDir, raftId, nodeId, listenAddress, address, heartbeatInterval,
        electionTimeoutMin, electionTimeoutMax, snapshotInterval, logEntriesForSlowFollowers, logSegmentBytes,
        proposeTimeout, tls, encryption);
  }

  /** Where Ratis keeps the log, term/vote metadata and snapshots. */
  public Path raftDir() {
    return stateDir.resolve("raft");
  }

  /** A random non-zero raft ID, as upstream picks for a new member. */
  public static long newRaftId() {
    long id;
    do {
      id = new java.security.SecureRandom().nextLong();
    } while (id == 0);
    return id;
  }
}
