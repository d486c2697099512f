package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.api.Version;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeControlTest {

  private final ControlTestServer ts = new ControlTestServer();

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  private Node createNode(String id, String hostname, NodeRole role, NodeSpec.Membership membership,
      NodeStatus.State state) {
    Node node = Node.newBuilder()
        .setId(id)
        .setRole(role)
        .setSpec(NodeSpec.newBuilder().setDesiredRole(role).setMembership(membership))
        .setDescription(NodeDescription.newBuilder().setHostname(hostname))
        .setStatus(NodeStatus.newBuilder().setState(state))
        .build();
    ts.store.update(tx -> tx.create(Table.NODES, node));
    return ts.get(Table.NODES, id).orElseThrow();
  }

  private void makeRaftMember(String nodeId, long raftId) {
    ts.raft.members.add(new RaftMembershipView.Member(nodeId, ManagerStatus.newBuilder()
        .setRaftId(raftId).setAddr("10.0.0." + raftId + ":4242")
        .setReachability(RaftMemberStatus.Reachability.REACHABLE).build()));
  }

  private List<String> listIds(ListNodesRequest.Filters filters) {
    return ts.client.listNodes(ListNodesRequest.newBuilder().setFilters(filters).build())
        .getNodesList().stream().map(Node::getId).toList();
  }

  @Test
  void getNodeNeedsAnIdAndAnExistingNode() {
    assertFails(() -> ts.client.getNode(GetNodeRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
    assertFails(() -> ts.client.getNode(GetNodeRequest.newBuilder().setNodeId("nope").build()),
        Status.Code.NOT_FOUND, "node nope not found");
  }

  @Test
  void getNodeAddsTheManagerStatusOfRaftMembers() {
    createNode("m1", "host1", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    makeRaftMember("m1", 7);

    Node node = ts.client.getNode(GetNodeRequest.newBuilder().setNodeId("m1").build()).getNode();

    assertThat(node.getManagerStatus().getRaftId()).isEqualTo(7);
    assertThat(node.getManagerStatus().getAddr()).isEqualTo("10.0.0.7:4242");
  }

  @Test
  void listNodesAppliesEveryFilter() {
    createNode("id1", "alpha", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    createNode("id2", "beta", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    createNode("xd3", "alpine", NodeRole.WORKER, NodeSpec.Membership.PENDING, NodeStatus.State.DOWN);
    ts.store.update(tx -> {
      Node n = tx.get(Table.NODES, "id2").orElseThrow();
      tx.update(Table.NODES, n.toBuilder()
          .setSpec(n.getSpec().toBuilder().setAnnotations(Annotations.newBuilder().putLabels("zone", "a")))
          .setDescription(n.getDescription().toBuilder()
              .setEngine(EngineDescription.newBuilder().putLabels("disk", "ssd")))
          .build());
    });

    assertThat(listIds(ListNodesRequest.Filters.getDefaultInstance())).containsExactly("id1", "id2", "xd3");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().addNames("beta").build())).containsExactly("id2");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().addNamePrefixes("al").build()))
        .containsExactly("id1", "xd3");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().addIdPrefixes("id").build()))
        .containsExactly("id1", "id2");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().addRoles(NodeRole.MANAGER).build()))
        .containsExactly("id1");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().addMemberships(NodeSpec.Membership.PENDING).build()))
        .containsExactly("xd3");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().putNodeLabels("zone", "").build()))
        .containsExactly("id2");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().putNodeLabels("zone", "b").build())).isEmpty();
    assertThat(listIds(ListNodesRequest.Filters.newBuilder().putLabels("disk", "ssd").build()))
        .containsExactly("id2");
    assertThat(listIds(ListNodesRequest.Filters.newBuilder()
        .addNamePrefixes("al").addRoles(NodeRole.WORKER).build())).containsExactly("xd3");
  }

  @Test
  void updateNodeChangesAvailabilityAndLabels() {
    Node node = createNode("id1", "host", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    NodeSpec drained = node.getSpec().toBuilder()
        .setAvailability(NodeSpec.Availability.DRAIN)
        .setAnnotations(Annotations.newBuilder().putLabels("rack", "r1"))
        .build();

    Node updated = ts.client.updateNode(UpdateNodeRequest.newBuilder()
        .setNodeId("id1").setNodeVersion(node.getMeta().getVersion()).setSpec(drained).build()).getNode();

    assertThat(updated.getSpec().getAvailability()).isEqualTo(NodeSpec.Availability.DRAIN);
    assertThat(updated.getSpec().getAnnotations().getLabelsMap()).containsEntry("rack", "r1");
    assertThat(updated.getMeta().getVersion().getIndex()).isGreaterThan(node.getMeta().getVersion().getIndex());
    assertThat(ts.get(Table.NODES, "id1").orElseThrow().getSpec()).isEqualTo(drained);
  }

  @Test
  void updateNodeRefusesMissingFieldsUnknownNodesAndStaleVersions() {
    Node node = createNode("id1", "host", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    List<Object> before = ts.snapshot();
    NodeSpec paused = node.getSpec().toBuilder().setAvailability(NodeSpec.Availability.PAUSE).build();

    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("id1").setSpec(paused).build()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("id1")
        .setNodeVersion(node.getMeta().getVersion()).build()), Status.Code.INVALID_ARGUMENT, "invalid argument");
    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("nope")
        .setNodeVersion(node.getMeta().getVersion()).setSpec(paused).build()),
        Status.Code.NOT_FOUND, "node nope not found");
    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("id1")
        .setNodeVersion(Version.newBuilder().setIndex(node.getMeta().getVersion().getIndex() - 1))
        .setSpec(paused).build()), Status.Code.INVALID_ARGUMENT, "update out of sequence");

    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void demotingTheLastManagerIsRefused() {
    Node node = createNode("m1", "host", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    makeRaftMember("m1", 1);
    ts.raft.removable.add(1L);
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("m1")
            .setNodeVersion(node.getMeta().getVersion())
            .setSpec(node.getSpec().toBuilder().setDesiredRole(NodeRole.WORKER)).build()),
        Status.Code.FAILED_PRECONDITION, "attempting to demote the last manager of the swarm");
    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void demotionThatWouldLoseQuorumIsRefusedAndASafeOneIsAccepted() {
    Node m1 = createNode("m1", "h1", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    createNode("m2", "h2", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    makeRaftMember("m1", 1);
    makeRaftMember("m2", 2);
    UpdateNodeRequest demote = UpdateNodeRequest.newBuilder().setNodeId("m1")
        .setNodeVersion(m1.getMeta().getVersion())
        .setSpec(m1.getSpec().toBuilder().setDesiredRole(NodeRole.WORKER)).build();
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.updateNode(demote), Status.Code.FAILED_PRECONDITION,
        "can't remove member from the raft: this would result in a loss of quorum");
    assertThat(ts.snapshot()).isEqualTo(before);

    ts.raft.removable.add(1L);
    Node demoted = ts.client.updateNode(demote).getNode();
    assertThat(demoted.getSpec().getDesiredRole()).isEqualTo(NodeRole.WORKER);
  }

  @Test
  void demotingAManagerMissingFromRaftIsNotFound() {
    Node m1 = createNode("m1", "h1", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    createNode("m2", "h2", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);

    assertFails(() -> ts.client.updateNode(UpdateNodeRequest.newBuilder().setNodeId("m1")
            .setNodeVersion(m1.getMeta().getVersion())
            .setSpec(m1.getSpec().toBuilder().setDesiredRole(NodeRole.WORKER)).build()),
        Status.Code.NOT_FOUND, "can't find manager in raft memberlist");
  }

  @Test
  void removingAReadyNodeNeedsForce() {
    ts.createDefaultCluster();
    createNode("id2", "host", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.READY);
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.removeNode(RemoveNodeRequest.newBuilder().setNodeId("id2").build()),
        Status.Code.FAILED_PRECONDITION, "node id2 is not down and can't be removed");
    assertThat(ts.snapshot()).isEqualTo(before);

    ts.client.removeNode(RemoveNodeRequest.newBuilder().setNodeId("id2").setForce(true).build());
    assertThat(ts.get(Table.NODES, "id2")).isEmpty();
    var cluster = ts.client.listClusters(ListClustersRequest.getDefaultInstance()).getClusters(0);
    assertThat(cluster.getBlacklistedCertificatesMap()).containsOnlyKeys("id2");
  }

  @Test
  void removingADownNodeOrphansItsUnfinishedTasks() {
    ts.createDefaultCluster();
    createNode("id3", "host", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.DOWN);
    ts.store.update(tx -> {
      tx.create(Table.TASKS, Task.newBuilder().setId("running").setNodeId("id3")
          .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build());
      tx.create(Table.TASKS, Task.newBuilder().setId("failed").setNodeId("id3")
          .setStatus(TaskStatus.newBuilder().setState(TaskState.FAILED)).build());
    });

    ts.client.removeNode(RemoveNodeRequest.newBuilder().setNodeId("id3").build());

    Task running = ts.get(Table.TASKS, "running").orElseThrow();
    assertThat(running.getStatus().getState()).isEqualTo(TaskState.ORPHANED);
    assertThat(running.getStatus().getMessage()).isEqualTo("Task belonged to a node that has been deleted");
    Task failed = ts.get(Table.TASKS, "failed").orElseThrow();
    assertThat(failed.getStatus().getState()).isEqualTo(TaskState.FAILED);
  }

  @Test
  void aManagerMustBeDemotedBeforeRemoval() {
    ts.createDefaultCluster();
    createNode("m1", "host", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED, NodeStatus.State.DOWN);
    makeRaftMember("m1", 1);
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.removeNode(RemoveNodeRequest.newBuilder().setNodeId("m1").setForce(true).build()),
        Status.Code.FAILED_PRECONDITION, "node m1 is a cluster manager and is a member of the raft cluster. "
            + "It must be demoted to worker before removal");
    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void removeNodeNeedsAnExistingNode() {
    assertFails(() -> ts.client.removeNode(RemoveNodeRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
    assertFails(() -> ts.client.removeNode(RemoveNodeRequest.newBuilder().setNodeId("nope").build()),
        Status.Code.NOT_FOUND, "node nope not found");
  }
}
