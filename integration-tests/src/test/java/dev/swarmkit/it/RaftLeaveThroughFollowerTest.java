package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.LeaveRequest;
import dev.swarmkit.api.RaftMember;
import dev.swarmkit.api.RaftMembershipGrpc;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.swarmd.SwarmNode;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RaftMembership.Leave sent to a follower is relayed to the leader, as upstream's raft proxy does. */
class RaftLeaveThroughFollowerTest {

  @TempDir Path dir;
  private TestSwarm swarm;

  @AfterEach
  void tearDown() {
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  void leaveSentToAFollowerRemovesTheMemberThroughTheLeader() throws Exception {
    swarm = new TestSwarm(dir);
    SwarmNode first = swarm.init("node-1");
    String token = swarm.joinToken("node-1", "Manager");
    SwarmNode second = swarm.join("node-2", first, token);
    SwarmNode third = swarm.join("node-3", first, token);
    await().atMost(Duration.ofSeconds(60)).until(() -> members(first).size() == 3
        && members(first).stream().filter(m -> m.status().getLeader()).count() == 1);

    SwarmNode follower = List.of(first, second, third).stream()
        .filter(n -> !n.manager().orElseThrow().replication().isLeader()).findFirst().orElseThrow();
    SwarmNode leaving = List.of(first, second, third).stream()
        .filter(n -> n != follower && !n.manager().orElseThrow().replication().isLeader()).findFirst().orElseThrow();
    long leavingRaftId = members(follower).stream().filter(m -> m.nodeId().equals(leaving.nodeId()))
        .findFirst().orElseThrow().status().getRaftId();

    ManagedChannel channel = SecureChannels.toManager(follower.security(),
        new InetSocketAddress("127.0.0.1", follower.manager().orElseThrow().remotePort()));
    try {
      RaftMembershipGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .leave(LeaveRequest.newBuilder().setNode(RaftMember.newBuilder().setRaftId(leavingRaftId)).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    SwarmNode leader = List.of(first, second, third).stream()
        .filter(n -> n.manager().orElseThrow().replication().isLeader()).findFirst().orElseThrow();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(members(leader)).extracting(RaftMembershipView.Member::nodeId)
            .hasSize(2).doesNotContain(leaving.nodeId()));
  }

  private static List<RaftMembershipView.Member> members(SwarmNode node) {
    return node.manager().orElseThrow().replication().membership().members();
  }
}
