package dev.swarmkit.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * Nodes arranged by placement preferences: each level splits nodes by the value of one spread
 * descriptor (e.g. node.labels.zone); leaves hold the best candidate nodes for a task group. Each
 * subtree knows how many tasks of the service it already runs.
 */
final class DecisionTree {

  /** Tasks of the service already running in this subtree. */
  int tasks;
  /** Children by descriptor value; null at a leaf. */
  Map<String, DecisionTree> next;

  // Leaf: a bounded max-heap (worst on top) keeps at most as many nodes as there are tasks to place.
  private PriorityQueue<NodeInfo> heap;
  private List<NodeInfo> ordered;

  DecisionTree child(String value) {
    if (next == null) {
      next = new LinkedHashMap<>();
    }
    return next.computeIfAbsent(value, v -> new DecisionTree());
  }

  /** Offers a node to this leaf, keeping the {@code bound} best that pass {@code fits}. */
  void offer(NodeInfo node, int bound, Comparator<NodeInfo> better, Predicate<NodeInfo> fits) {
    if (heap == null) {
      heap = new PriorityQueue<>(better.reversed());
    }
    if (heap.size() < bound) {
      if (fits.test(node)) {
        heap.add(node);
      }
    } else if (better.compare(node, heap.peek()) < 0 && fits.test(node)) {
      heap.poll();
      heap.add(node);
    }
  }

  /**
   * The leaf's nodes, best first. On later visits the nodes may have taken tasks meanwhile, so they are
   * re-checked against the filters and re-sorted.
   */
  List<NodeInfo> orderedNodes(Predicate<NodeInfo> fits, Comparator<NodeInfo> better) {
    if (ordered == null) {
      ordered = heap == null ? new ArrayList<>() : new ArrayList<>(heap);
      heap = null;
    } else {
      ordered.removeIf(fits.negate());
    }
    ordered.sort(better);
    return ordered;
  }
}
