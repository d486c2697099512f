package dev.swarmkit.store.raft;

import dev.swarmkit.store.MemoryStore;
import java.time.Duration;
import java.util.List;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Translates a {@link RaftConfig} into Ratis properties and parameters. */
final class RatisSettings {

  /** Largest log entry and AppendEntries batch: a full store transaction with room to spare. */
  static final int ENTRY_BYTES_MAX = MemoryStore.MAX_TRANSACTION_BYTES + (512 << 10);

  private RatisSettings() {}

  static RaftProperties properties(RaftConfig c, boolean alone) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftServerConfigKeys.setStorageDir(p, List.of(c.raftDir().toFile()));
    HostPort listen = HostPort.parse(c.listenAddress());
    GrpcConfigKeys.Server.setHost(p, listen.host());
    GrpcConfigKeys.Server.setPort(p, listen.port());

    // Ratis leaders heartbeat at half the minimum election timeout.
    Duration min = max(c.electionTimeoutMin(), c.heartbeatInterval().multipliedBy(2));
    Duration maxTimeout = max(c.electionTimeoutMax(), min.plus(c.heartbeatInterval()));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(min));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(maxTimeout));
    // The first election after start need not wait a full timeout. A member known to be the group's
    // only voter (a new cluster, --force-new-cluster) campaigns within a tenth of a heartbeat (100-200
    // ms by default), as upstream campaigns at once when alone. Otherwise (a restart, whose members
    // come from the log) one to two heartbeats, so that a whole cluster restarting does not split its
    // votes while its members are still coming up; pre-vote keeps an early candidate from disturbing
    // a healthy leader.
    Duration first = alone ? max(c.heartbeatInterval().dividedBy(10), Duration.ofMillis(10)) : c.heartbeatInterval();
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, ms(first));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, ms(first.multipliedBy(2)));
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    // A member being added may still be starting (upstream's join: the leader assigns the raft ID,
    // then the new member starts); give it the whole propose timeout to answer and catch up.
    RaftServerConfigKeys.setStagingTimeout(p, ms(c.proposeTimeout()));

    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);

    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotInterval());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(c.snapshotInterval(), 1024));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // A crash mid-write (or a full disk) can leave the last record of the open segment torn: drop it
    // on restart, as etcd's WAL repairs a torn tail; the leader sends the entry again.
    RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, c.logEntriesForSlowFollowers());
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, c.snapshotInterval())));
    SizeInBytes segment = SizeInBytes.valueOf(c.logSegmentBytes());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, segment);
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(c.logSegmentBytes(), 4L << 20)));
    // Ratis writes the log through one direct buffer (8 MiB by default, all of it resident) that must
    // hold the largest entry and the leader's largest batch (appender limit + 8). Our largest entry is
    // one store transaction (MemoryStore.MAX_TRANSACTION_BYTES of changes) plus envelope and seal.
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(ENTRY_BYTES_MAX));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(ENTRY_BYTES_MAX + 8));
    return p;
  }

  static Parameters parameters(RaftConfig c) {
    Parameters params = new Parameters();
    c.tls().ifPresent(tls -> GrpcConfigKeys.TLS.setConf(params, tls));
    return params;
  }

  private static TimeDuration ms(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A host:port pair; IPv6 hosts in brackets. */
  record HostPort(String host, int port) {
    static HostPort parse(String address) {
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("address must be host:port: " + address);
      }
      String host = address.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new HostPort(host, Integer.parseInt(address.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port in address " + address, e);
      }
    }
  }
}
