package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.AttachNetworkRequest;
import dev.swarmkit.api.DispatcherGrpc;
import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.LogBrokerGrpc;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NodeCAGrpc;
import dev.swarmkit.api.NodeCertificateStatusRequest;
import dev.swarmkit.api.ResourceAllocatorGrpc;
import dev.swarmkit.swarmctl.UnixSocketChannels;
import dev.swarmkit.swarmd.SwarmNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket serves what upstream's local server serves (Control, Watch, Logs, Health,
 * Dispatcher, CA, NodeCA, ResourceAllocator, LogBroker), as the manager's own node, on the leader and
 * on a follower alike.
 */
class ControlSocketServicesTest {

  private static final Pattern KEY = Pattern.compile("Unlock key: (SWMKEY-1-\\S+)");

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void unlockKeyIsPrintedAndRotatedThroughLeaderAndFollowerSockets() throws Exception {
    SwarmNode leader = swarm.init("node-1");
    swarm.join("node-2", leader, swarm.joinToken("node-1", "Manager"));
    TestSwarm.awaitReady(leader, 2);

    assertThat(swarm.swarmctlOk("node-2", "cluster", "unlock-key", "default")).contains("Managers not auto-locked");
    TestSwarm.Result refused = swarm.swarmctl("node-1", "cluster", "unlock-key", "--rotate", "default");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("autolock is not turned on");

    swarm.swarmctlUpdate("node-1", "cluster", "update", "default", "--autolock=true");
    String onLeader = key(swarm.swarmctlOk("node-1", "cluster", "unlock-key", "default"));
    String onFollower = key(swarm.swarmctlOk("node-2", "cluster", "unlock-key", "default"));
    assertThat(onFollower).isEqualTo(onLeader);

    String rotated = key(swarm.swarmctlOk("node-2", "cluster", "unlock-key", "--rotate", "default"));
    assertThat(rotated).isNotEqualTo(onLeader);
    assertThat(key(swarm.swarmctlOk("node-1", "cluster", "unlock-key", "default"))).isEqualTo(rotated);
  }

  @Test
  void socketServesHealthNodeCaResourceAllocatorDispatcherAndLogBrokerAsTheManagerItself() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    try (UnixSocketChannels.Connection c = UnixSocketChannels.open(swarm.socketOf("node-1").toString(), false)) {
      assertThat(HealthGrpc.newBlockingStub(c.channel()).check(HealthCheckRequest.getDefaultInstance())
          .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

      assertThat(NodeCAGrpc.newBlockingStub(c.channel()).nodeCertificateStatus(
          NodeCertificateStatusRequest.newBuilder().setNodeId(manager.nodeId()).build())
          .getStatus().getState()).isEqualTo(IssuanceStatus.State.ISSUED);

      // "ingress" is not attachable: refused by the allocator itself, after it identified the caller
      assertThatThrownBy(() -> ResourceAllocatorGrpc.newBlockingStub(c.channel()).attachNetwork(
          AttachNetworkRequest.newBuilder().setContainerId("c1")
              .setConfig(NetworkAttachmentConfig.newBuilder().setTarget("ingress")).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("not manually attachable");
          });

      // Not "Method not found": the dispatcher and the log broker answer (here: bad arguments)
      assertThatThrownBy(() -> DispatcherGrpc.newBlockingStub(c.channel()).heartbeat(
          dev.swarmkit.api.HeartbeatRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.UNIMPLEMENTED));
      assertThatThrownBy(() -> LogBrokerGrpc.newBlockingStub(c.channel())
          .withDeadlineAfter(2, java.util.concurrent.TimeUnit.SECONDS)
          .listenSubscriptions(dev.swarmkit.api.ListenSubscriptionsRequest.getDefaultInstance())
          .forEachRemaining(m -> { }))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.UNIMPLEMENTED));
    }
  }

  private static String key(String output) {
    Matcher m = KEY.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m.group(1);
  }
}
