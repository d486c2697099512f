package dev.swarmkit.scheduler;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.PlacementPreference;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/** Every node the scheduler knows, by ID, with its {@link NodeInfo}. */
final class NodeSet {

  private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();

  NodeInfo get(String nodeId) {
    return nodeId.isEmpty() ? null : nodes.get(nodeId);
  }

  void put(NodeInfo info) {
    nodes.put(info.id(), info);
  }

  void remove(String nodeId) {
    nodes.remove(nodeId);
  }

  Collection<NodeInfo> all() {
    return nodes.values();
  }

  int size() {
    return nodes.size();
  }

  /**
   * Builds the decision tree for one task group: nodes split by each spread preference's value (a
   * node without the label goes under ""), leaves keeping the {@code maxAssignments} best nodes that
   * pass {@code fits}.
   */
  DecisionTree tree(String serviceId, List<PlacementPreference> preferences, int maxAssignments,
      Predicate<NodeInfo> fits, Comparator<NodeInfo> better) {
    DecisionTree root = new DecisionTree();
    if (maxAssignments == 0) {
      return root;
    }
    for (NodeInfo node : nodes.values()) {
      int serviceTasks = node.activeTasksCount(serviceId);
      DecisionTree tree = root;
      for (PlacementPreference pref : preferences) {
        if (!pref.hasSpread()) {
          continue;
        }
        String value = spreadValue(pref.getSpread().getSpreadDescriptor(), node.node());
        if (value == null) {
          continue; // unsupported descriptor: the level is skipped, as upstream
        }
        tree.tasks += serviceTasks;
        tree = tree.child(value);
      }
      tree.tasks += serviceTasks;
      tree.offer(node, maxAssignments, better, fits);
    }
    return root;
  }

  /** The node's value for a spread descriptor; null when the descriptor is not a label. */
  static String spreadValue(String descriptor, Node node) {
    String lower = descriptor.toLowerCase(Locale.ROOT);
    if (lower.length() > Constraint.NODE_LABEL_PREFIX.length() && lower.startsWith(Constraint.NODE_LABEL_PREFIX)) {
      return node.getSpec().getAnnotations().getLabelsOrDefault(
          descriptor.substring(Constraint.NODE_LABEL_PREFIX.length()), "");
    }
    if (lower.length() > Constraint.ENGINE_LABEL_PREFIX.length() && lower.startsWith(Constraint.ENGINE_LABEL_PREFIX)) {
      return node.getDescription().getEngine().getLabelsOrDefault(
          descriptor.substring(Constraint.ENGINE_LABEL_PREFIX.length()), "");
    }
    return null;
  }
}
