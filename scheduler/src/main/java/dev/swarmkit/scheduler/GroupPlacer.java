package dev.swarmkit.scheduler;

import com.google.protobuf.Timestamp;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.PlacementPreference;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a group of interchangeable tasks (same service and spec) over the nodes, as upstream's
 * scheduler: nodes with fewer tasks of the service come first, then nodes with fewer tasks overall,
 * and placement preferences split the tasks evenly across label values, level by level. One group
 * costs O(nodes log nodes + tasks): candidates are ordered once, then filled round-robin.
 */
final class GroupPlacer {

  static final String ASSIGNED_MESSAGE = "scheduler assigned task to node";

  private final NodeSet nodeSet;
  private final Pipeline pipeline;
  private final Clock clock;

  GroupPlacer(NodeSet nodeSet, Pipeline pipeline, Clock clock) {
    this.nodeSet = nodeSet;
    this.pipeline = pipeline;
    this.clock = clock;
  }

  /** The node preference for tasks like {@code t}: negative when {@code a} is the better choice. */
  static Comparator<NodeInfo> nodeOrder(Task t, Instant now) {
    String serviceId = t.getServiceId();
    return (a, b) -> {
      int failuresA = a.countRecentFailures(now, t);
      int failuresB = b.countRecentFailures(now, t);
      if ((failuresA >= NodeInfo.MAX_FAILURES || failuresB >= NodeInfo.MAX_FAILURES) && failuresA != failuresB) {
        return Integer.compare(failuresA, failuresB);
      }
      int byService = Integer.compare(a.activeTasksCount(serviceId), b.activeTasksCount(serviceId));
      return byService != 0 ? byService : Integer.compare(a.activeTasksCount(), b.activeTasksCount());
    };
  }

  /**
   * Places as many tasks of {@code group} as fit, removing them from it and recording a decision for
   * each. Tasks left in {@code group} fit nowhere; {@link Pipeline#explain()} then says why.
   */
  void place(Deque<Task> group, Map<String, Decision> decisions) {
    Task sample = group.peekFirst();
    pipeline.setTask(sample);
    Instant now = clock.instant();
    Comparator<NodeInfo> order = nodeOrder(sample, now);
    List<PlacementPreference> prefs = sample.getSpec().getPlacement().getPreferencesList();
    DecisionTree tree = nodeSet.tree(sample.getServiceId(), prefs, group.size(), pipeline::process, order);
    placeOnSubtree(group.size(), group, tree, decisions, order, timestamp(now));
  }

  private int placeOnSubtree(int n, Deque<Task> group, DecisionTree tree, Map<String, Decision> decisions,
      Comparator<NodeInfo> order, Timestamp now) {
    if (tree.next == null) {
      List<NodeInfo> nodes = tree.orderedNodes(pipeline::process, order);
      return nodes.isEmpty() ? 0 : placeOnNodes(n, group, nodes, decisions, order, now);
    }
    // Even out the branches until every task is placed or every branch is full.
    int placed = 0;
    int tasksInUsableBranches = tree.tasks;
    Set<DecisionTree> noRoom = new HashSet<>();
    boolean converging = true;
    while (placed != n && noRoom.size() != tree.next.size() && converging) {
      int usable = tree.next.size() - noRoom.size();
      int desiredPerBranch = (tasksInUsableBranches + n - placed) / usable;
      int remainder = (tasksInUsableBranches + n - placed) % usable;
      converging = false;
      for (DecisionTree subtree : tree.next.values()) {
        if (noRoom.contains(subtree)) {
          continue;
        }
        int subtreeTasks = subtree.tasks;
        if (subtreeTasks < desiredPerBranch || (subtreeTasks == desiredPerBranch && remainder > 0)) {
          converging = true;
          int toAssign = desiredPerBranch - subtreeTasks + (remainder > 0 ? 1 : 0);
          int got = placeOnSubtree(toAssign, group, subtree, decisions, order, now);
          if (got < toAssign) {
            noRoom.add(subtree);
            tasksInUsableBranches -= subtreeTasks;
          } else if (remainder > 0) {
            remainder--;
          }
          placed += got;
        }
      }
    }
    return placed;
  }

  /**
   * Places up to {@code n} tasks on {@code nodes} (best first): the first pass fills nodes until they
   * are level with the next one, later passes go round-robin over nodes that still pass the filters.
   * A node that stops passing (full, or at max replicas) drops out of the rotation for good — fitness
   * only decreases while a group is placed — so skipping it later costs nothing.
   */
  private int placeOnNodes(int n, Deque<Task> group, List<NodeInfo> nodes, Map<String, Decision> decisions,
      Comparator<NodeInfo> order, Timestamp now) {
    int placed = 0;
    int count = nodes.size();
    Rotation rotation = new Rotation(count);
    int iter = 0;
    while (!group.isEmpty()) {
      Task t = group.pollFirst();
      NodeInfo node = nodes.get(iter % count);
      Task assigned = assign(t, node, now);
      node.addTask(assigned);
      decisions.put(t.getId(), new Decision(t, assigned));
      placed++;
      if (placed == n) {
        return placed;
      }
      if (iter + 1 < count) {
        if (order.compare(nodes.get((iter + 1) % count), node) < 0) {
          iter++;
        }
      } else {
        iter++;
      }
      while (true) {
        int p = iter % count;
        if (!rotation.dropped(p)) {
          if (pipeline.process(nodes.get(p))) {
            break;
          }
          rotation.drop(p);
          if (rotation.live() == 0) {
            return placed; // no node fits any more
          }
        }
        iter += rotation.distanceToNextLive(p);
      }
    }
    return placed;
  }

  /**
   * The ring of candidate positions with dropped ones skipped in near-constant time (next-pointers
   * with path compression), so a mostly full cluster does not cost O(nodes) per task.
   */
  private static final class Rotation {
    private final int[] next;
    private final boolean[] dropped;
    private int live;

    Rotation(int size) {
      next = new int[size];
      dropped = new boolean[size];
      live = size;
    }

    boolean dropped(int p) {
      return dropped[p];
    }

    int live() {
      return live;
    }

    void drop(int p) {
      dropped[p] = true;
      next[p] = (p + 1) % next.length;
      live--;
    }

    /** Steps from dropped position {@code p} to the next live one; requires a live position. */
    int distanceToNextLive(int p) {
      int q = p;
      while (dropped[q]) {
        q = next[q];
      }
      for (int i = p; dropped[i]; ) {
        int following = next[i];
        next[i] = q;
        i = following;
      }
      return Math.floorMod(q - p, next.length);
    }
  }

  private static Task assign(Task t, NodeInfo node, Timestamp now) {
    List<GenericResource> generic = node.chooseGenericResources(t.getSpec());
    Task.Builder b = t.toBuilder()
        .setNodeId(node.id())
        .setStatus(TaskStatus.newBuilder()
            .setState(TaskState.ASSIGNED)
            .setTimestamp(now)
            .setMessage(ASSIGNED_MESSAGE));
    if (!generic.isEmpty() || t.getAssignedGenericResourcesCount() > 0) {
      b.clearAssignedGenericResources().addAllAssignedGenericResources(generic);
    }
    return b.build();
  }

  static Timestamp timestamp(Instant now) {
    return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
  }
}
