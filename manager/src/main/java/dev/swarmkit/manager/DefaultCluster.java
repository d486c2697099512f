package dev.swarmkit.manager;

import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.DispatcherConfig;
import dev.swarmkit.api.OrchestrationConfig;
import dev.swarmkit.api.RaftConfig;
import dev.swarmkit.api.RootCA;

/** The cluster object a new swarm starts with, with upstream's defaults. */
public final class DefaultCluster {

  /** Upstream's store.DefaultClusterName. */
  public static final String NAME = "default";
  static final long TASK_HISTORY_RETENTION_LIMIT = 5;
  static final Duration HEARTBEAT_PERIOD = Duration.newBuilder().setSeconds(5).build();
  static final Duration NODE_CERT_EXPIRY = Duration.newBuilder().setSeconds(2160L * 3600).build();

  private DefaultCluster() {}

  public static Cluster create(String clusterId, RootCA rootCa) {
    return Cluster.newBuilder()
        .setId(clusterId)
        .setSpec(ClusterSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(NAME))
            .setOrchestration(OrchestrationConfig.newBuilder()
                .setTaskHistoryRetentionLimit(TASK_HISTORY_RETENTION_LIMIT))
            .setDispatcher(DispatcherConfig.newBuilder().setHeartbeatPeriod(HEARTBEAT_PERIOD))
            .setRaft(RaftConfig.newBuilder()
                .setSnapshotInterval(10_000)
                .setLogEntriesForSlowFollowers(500)
                .setHeartbeatTick(1)
                .setElectionTick(10))
            .setCaConfig(CAConfig.newBuilder().setNodeCertExpiry(NODE_CERT_EXPIRY)))
        .setRootCa(rootCa)
        .build();
  }
}
