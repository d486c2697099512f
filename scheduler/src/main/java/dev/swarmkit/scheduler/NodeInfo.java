package dev.swarmkit.scheduler;

import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's view of one node: the node object plus what is placed on it — tasks, active task
 * counts (total and per service), resources still free, host ports in use, and recent task failures
 * per service version. Mutable; owned by the scheduler thread.
 */
final class NodeInfo {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeInfo.class);

  /** Failures within this window count against a node for a service. */
  static final Duration MONITOR_FAILURES = Duration.ofMinutes(5);
  /** That many recent failures make a node the last choice for the service. */
  static final int MAX_FAILURES = 5;

  private Node node;
  private final Map<String, Task> tasks = new HashMap<>();
  private int activeTasksCount;
  private final Map<String, Integer> activeTasksByService = new HashMap<>();
  private long availableNanoCpus;
  private long availableMemoryBytes;
  private final List<GenericResource> availableGeneric = new ArrayList<>();
  private final Set<Long> usedHostPorts = new HashSet<>();
  private final Map<VersionedService, Deque<Instant>> recentFailures = new HashMap<>();
  private Instant lastCleanup = Instant.now();

  private record VersionedService(String serviceId, long specVersion) {
    static VersionedService of(Task t) {
      return new VersionedService(t.getServiceId(), t.hasSpecVersion() ? t.getSpecVersion().getIndex() : 0);
    }
  }

  /** A node with the given tasks already on it; free resources start from its description. */
  NodeInfo(Node node, Iterable<Task> tasksOnNode) {
    this.node = node;
    Resources total = node.getDescription().getResources();
    availableNanoCpus = total.getNanoCpus();
    availableMemoryBytes = total.getMemoryBytes();
    availableGeneric.addAll(total.getGenericList());
    for (Task t : tasksOnNode) {
      addTask(t);
    }
  }

  Node node() {
    return node;
  }

  String id() {
    return node.getId();
  }

  Map<String, Task> tasks() {
    return tasks;
  }

  int activeTasksCount() {
    return activeTasksCount;
  }

  int activeTasksCount(String serviceId) {
    return activeTasksByService.getOrDefault(serviceId, 0);
  }

  long availableNanoCpus() {
    return availableNanoCpus;
  }

  long availableMemoryBytes() {
    return availableMemoryBytes;
  }

  List<GenericResource> availableGeneric() {
    return availableGeneric;
  }

  boolean hostPortInUse(PortConfig port) {
    return usedHostPorts.contains(portKey(port));
  }

  /**
   * Replaces the node object (after a node update) and recomputes free resources from its new
   * description minus what the tracked tasks hold.
   */
  void updateNode(Node updated) {
    this.node = updated;
    Resources total = updated.getDescription().getResources();
    availableNanoCpus = total.getNanoCpus();
    availableMemoryBytes = total.getMemoryBytes();
    availableGeneric.clear();
    availableGeneric.addAll(total.getGenericList());
    for (Task t : tasks.values()) {
      Resources r = reservations(t.getSpec());
      availableNanoCpus -= r.getNanoCpus();
      availableMemoryBytes -= r.getMemoryBytes();
      GenericResources.consume(availableGeneric, t.getAssignedGenericResourcesList());
    }
  }

  /**
   * Picks generic resources for a task about to be placed here, without reserving them yet; the
   * returned list goes into the task's assigned_generic_resources and is consumed by {@link #addTask}.
   */
  List<GenericResource> chooseGenericResources(TaskSpec spec) {
    List<GenericResource> wanted = reservations(spec).getGenericList();
    if (wanted.isEmpty()) {
      return List.of();
    }
    return GenericResources.claim(new ArrayList<>(availableGeneric), wanted);
  }

  /** Adds or updates a task; returns whether this node's accounting changed. */
  boolean addTask(Task t) {
    Task old = tasks.get(t.getId());
    if (old != null) {
      tasks.put(t.getId(), t);
      boolean wasActive = isActive(old);
      boolean active = isActive(t);
      if (active && !wasActive) {
        countActive(t.getServiceId(), 1);
        return true;
      }
      if (!active && wasActive) {
        countActive(t.getServiceId(), -1);
        return true;
      }
      return false;
    }
    tasks.put(t.getId(), t);
    Resources r = reservations(t.getSpec());
    availableNanoCpus -= r.getNanoCpus();
    availableMemoryBytes -= r.getMemoryBytes();
    if (t.getAssignedGenericResourcesCount() > 0) {
      GenericResources.consume(availableGeneric, t.getAssignedGenericResourcesList());
    } else if (r.getGenericCount() > 0) {
      GenericResources.claim(availableGeneric, r.getGenericList());
    }
    for (PortConfig p : t.getEndpoint().getPortsList()) {
      if (isHostPort(p)) {
        usedHostPorts.add(portKey(p));
      }
    }
    if (isActive(t)) {
      countActive(t.getServiceId(), 1);
    }
    return true;
  }

  /** Removes a tracked task and frees what it held; returns whether it was tracked. */
  boolean removeTask(Task t) {
    Task old = tasks.remove(t.getId());
    if (old == null) {
      return false;
    }
    if (isActive(old)) {
      countActive(t.getServiceId(), -1);
    }
    for (PortConfig p : t.getEndpoint().getPortsList()) {
      if (isHostPort(p)) {
        usedHostPorts.remove(portKey(p));
      }
    }
    Resources r = reservations(t.getSpec());
    availableNanoCpus += r.getNanoCpus();
    availableMemoryBytes += r.getMemoryBytes();
    List<GenericResource> advertised = node.getDescription().getResources().getGenericList();
    if (!advertised.isEmpty()) {
      List<GenericResource> held = old.getAssignedGenericResourcesCount() > 0
          ? old.getAssignedGenericResourcesList() : t.getAssignedGenericResourcesList();
      GenericResources.reclaim(availableGeneric, held, advertised);
    }
    return true;
  }

  /** Records a failed or rejected task of a service on this node. */
  void taskFailed(Task t, Instant now) {
    if (Duration.between(lastCleanup, now).compareTo(MONITOR_FAILURES) >= 0) {
      cleanupFailures(now);
    }
    Deque<Instant> failures = recentFailures.computeIfAbsent(VersionedService.of(t), k -> new ArrayDeque<>());
    while (!failures.isEmpty() && Duration.between(failures.peekFirst(), now).compareTo(MONITOR_FAILURES) >= 0) {
      failures.pollFirst();
    }
    failures.addLast(now);
    if (failures.size() == MAX_FAILURES) {
      log.warn("underweighting node {} for service {} because it experienced {} failures or rejections within {}",
          id(), t.getServiceId(), MAX_FAILURES, MONITOR_FAILURES);
    }
  }

  /** Failures of this task's service version on this node within the lookback window. */
  int countRecentFailures(Instant now, Task t) {
    if (recentFailures.isEmpty()) {
      return 0; // the common case; skips building a key on every comparison
    }
    Deque<Instant> failures = recentFailures.get(VersionedService.of(t));
    if (failures == null) {
      return 0;
    }
    int count = 0;
    for (Iterator<Instant> it = failures.descendingIterator(); it.hasNext(); ) {
      if (Duration.between(it.next(), now).compareTo(MONITOR_FAILURES) > 0) {
        break;
      }
      count++;
    }
    return count;
  }

  private void cleanupFailures(Instant now) {
    recentFailures.values().removeIf(failures -> failures.stream()
        .allMatch(ts -> Duration.between(ts, now).compareTo(MONITOR_FAILURES) >= 0));
    lastCleanup = now;
  }

  private void countActive(String serviceId, int delta) {
    activeTasksCount += delta;
    activeTasksByService.merge(serviceId, delta, Integer::sum);
  }

  /** Tasks meant to run (or complete) count as active; ones being shut down do not. */
  static boolean isActive(Task t) {
    return t.getDesiredStateValue() <= TaskState.COMPLETE_VALUE;
  }

  static boolean isHostPort(PortConfig p) {
    return p.getPublishMode() == PortConfig.PublishMode.HOST && p.getPublishedPort() != 0;
  }

  static Resources reservations(TaskSpec spec) {
    return spec.getResources().getReservations();
  }

  private static long portKey(PortConfig p) {
    return ((long) p.getProtocolValue() << 32) | (p.getPublishedPort() & 0xffffffffL);
  }

  @Override
  public String toString() {
    return "NodeInfo{" + id() + ", active=" + activeTasksCount + "}";
  }
}
