package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.BlacklistedCertificate;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.GetNodeResponse;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListNodesResponse;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.RemoveNodeResponse;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.api.UpdateNodeResponse;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Node RPCs of the control API (upstream controlapi/node.go). */
final class NodeApi {

  /** The name of the one cluster object of a swarm. */
  static final String DEFAULT_CLUSTER_NAME = "default";

  private final Store store;
  private final RaftMembershipView raft;

  NodeApi(Store store, RaftMembershipView raft) {
    this.store = store;
    this.raft = raft;
  }

  GetNodeResponse get(GetNodeRequest request) {
    String id = request.getNodeId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    Node node = store.view(tx -> tx.get(Table.NODES, id))
        .orElseThrow(() -> ApiErrors.notFound("node %s not found", id));
    return GetNodeResponse.newBuilder().setNode(withManagerStatus(node, membersByNode())).build();
  }

  ListNodesResponse list(ListNodesRequest request) {
    ListNodesRequest.Filters f = request.getFilters();
    By by;
    if (f.getNamesCount() > 0) {
      by = Filters.anyOf(f.getNamesList(), By::name);
    } else if (f.getNamePrefixesCount() > 0) {
      by = Filters.anyOf(f.getNamePrefixesList(), By::namePrefix);
    } else if (f.getIdPrefixesCount() > 0) {
      by = Filters.anyOf(f.getIdPrefixesList(), By::idPrefix);
    } else if (f.getRolesCount() > 0) {
      by = Filters.anyKnownOf(f.getRolesList(), By::role);
    } else if (f.getMembershipsCount() > 0) {
      by = Filters.anyKnownOf(f.getMembershipsList(), By::membership);
    } else {
      by = By.all();
    }
    Map<String, RaftMembershipView.Member> members = membersByNode();
    List<Node> nodes = store.view(tx -> tx.find(Table.NODES, by)).stream()
        .filter(n -> f.getNamesCount() == 0
            || n.hasDescription() && f.getNamesList().contains(n.getDescription().getHostname()))
        .filter(n -> f.getNamePrefixesCount() == 0 || n.hasDescription()
            && Filters.containsPrefix(n.getDescription().getHostname(), f.getNamePrefixesList()))
        .filter(n -> Filters.containsPrefix(n.getId(), f.getIdPrefixesList()))
        .filter(n -> f.getLabelsCount() == 0 || n.hasDescription() && n.getDescription().hasEngine()
            && Filters.matchLabels(n.getDescription().getEngine().getLabelsMap(), f.getLabelsMap()))
        .filter(n -> Filters.matchLabels(n.getSpec().getAnnotations().getLabelsMap(), f.getNodeLabelsMap()))
        .filter(n -> f.getRolesCount() == 0 || f.getRolesList().contains(n.getRole()))
        .filter(n -> f.getMembershipsCount() == 0 || f.getMembershipsList().contains(n.getSpec().getMembership()))
        .map(n -> withManagerStatus(n, members))
        .toList();
    return ListNodesResponse.newBuilder().addAllNodes(nodes).build();
  }

  /**
   * Replaces the node's spec (availability, desired role, labels, membership). Demoting a manager is
   * refused when it is the last one, or when removing it from Raft would lose quorum.
   */
  UpdateNodeResponse update(UpdateNodeRequest request) {
    String id = request.getNodeId();
    if (id.isEmpty() || !request.hasNodeVersion() || !request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    store.update(tx -> {
      Node node = tx.get(Table.NODES, id).orElseThrow(() -> ApiErrors.notFound("node %s not found", id));
      boolean demotion = node.getSpec().getDesiredRole() == NodeRole.MANAGER
          && request.getSpec().getDesiredRole() == NodeRole.WORKER;
      if (demotion) {
        checkDemotable(tx, node);
      }
      tx.update(Table.NODES, node.toBuilder()
          .setMeta(node.getMeta().toBuilder().setVersion(request.getNodeVersion()))
          .setSpec(request.getSpec())
          .build());
    });
    Node updated = store.view(tx -> tx.get(Table.NODES, id))
        .orElseThrow(() -> ApiErrors.notFound("node %s not found", id));
    return UpdateNodeResponse.newBuilder().setNode(updated).build();
  }

  private void checkDemotable(Tx tx, Node node) {
    List<Node> managers = tx.find(Table.NODES, By.role(NodeRole.MANAGER));
    if (managers.size() == 1 && managers.get(0).getId().equals(node.getId())) {
      throw ApiErrors.failedPrecondition("attempting to demote the last manager of the swarm");
    }
    RaftMembershipView.Member member = raft.memberByNodeId(node.getId())
        .orElseThrow(() -> ApiErrors.notFound("can't find manager in raft memberlist"));
    if (!raft.canRemoveMember(member.status().getRaftId())) {
      throw ApiErrors.failedPrecondition(
          "can't remove member from the raft: this would result in a loss of quorum");
    }
  }

  /**
   * Removes a node: it must be down (or forced) and no longer a Raft member. Its certificate is
   * blacklisted in the cluster object, and its unfinished tasks are orphaned in the same transaction,
   * since no dispatcher will ever report on them again.
   */
  RemoveNodeResponse remove(RemoveNodeRequest request) {
    String id = request.getNodeId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    store.update(tx -> {
      Node node = tx.get(Table.NODES, id).orElseThrow(() -> ApiErrors.notFound("node %s not found", id));
      if (node.getSpec().getDesiredRole() == NodeRole.MANAGER && raft.memberByNodeId(id).isPresent()) {
        throw ApiErrors.failedPrecondition("node %s is a cluster manager and is a member of the raft "
            + "cluster. It must be demoted to worker before removal", id);
      }
      if (!request.getForce() && node.getStatus().getState() == NodeStatus.State.READY) {
        throw ApiErrors.failedPrecondition("node %s is not down and can't be removed", id);
      }
      List<Cluster> clusters = tx.find(Table.CLUSTERS, By.name(DEFAULT_CLUSTER_NAME));
      if (clusters.size() != 1) {
        throw ApiErrors.internal("could not fetch cluster object");
      }
      Cluster.Builder cluster = clusters.get(0).toBuilder();
      BlacklistedCertificate.Builder blacklisted = BlacklistedCertificate.newBuilder();
      certificateExpiry(node).ifPresent(blacklisted::setExpiry);
      cluster.putBlacklistedCertificates(node.getId(), blacklisted.build());
      Blacklist.expire(cluster);
      tx.update(Table.CLUSTERS, cluster.build());
      orphanTasks(tx, id);
      tx.delete(Table.NODES, id);
    });
    return RemoveNodeResponse.getDefaultInstance();
  }

  private static void orphanTasks(Tx tx, String nodeId) {
    // Only unfinished tasks need it; updating all could make the transaction too large.
    for (Task task : tx.find(Table.TASKS, By.nodeId(nodeId))) {
      if (task.getStatus().getState().getNumber() < TaskState.COMPLETE_VALUE) {
        tx.update(Table.TASKS, task.toBuilder().setStatus(TaskStatus.newBuilder()
            .setTimestamp(Protos.now())
            .setState(TaskState.ORPHANED)
            .setMessage("Task belonged to a node that has been deleted")).build());
      }
    }
  }

  private static Optional<com.google.protobuf.Timestamp> certificateExpiry(Node node) {
    byte[] pem = node.getCertificate().getCertificate().toByteArray();
    if (pem.length == 0) {
      return Optional.empty();
    }
    try {
      var certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem));
      return Optional.of(Protos.timestamp(certificate.getNotAfter().toInstant()));
    } catch (CertificateException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private Map<String, RaftMembershipView.Member> membersByNode() {
    return raft.members().stream()
        .collect(Collectors.toMap(RaftMembershipView.Member::nodeId, m -> m, (a, b) -> a));
  }

  private static Node withManagerStatus(Node node, Map<String, RaftMembershipView.Member> members) {
    RaftMembershipView.Member member = members.get(node.getId());
    return member == null ? node : node.toBuilder().setManagerStatus(member.status()).build();
  }
}
