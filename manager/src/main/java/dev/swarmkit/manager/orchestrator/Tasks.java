package dev.swarmkit.manager.orchestrator;

import com.google.protobuf.Timestamp;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.identity.Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;

/** Creating tasks for services and judging them against their service and node (upstream task.go). */
public final class Tasks {

  /** Upstream's default restart delay (api/defaults: Service.Task.Restart.Delay). */
  public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(5);

  /**
   * As upstream, tasks are created in NEW ("created"); the allocator ({@code
   * dev.swarmkit.manager.allocator}) gives them their endpoint and network attachments and moves
   * them to PENDING, the only state the scheduler places.
   */
  public static final TaskState INITIAL_STATE = TaskState.NEW;

  public static final String INITIAL_MESSAGE = "created";

  /** Newest last; tasks without any timestamp sort first (upstream TasksByTimestamp). */
  public static final Comparator<Task> BY_TIMESTAMP = Comparator.comparing(Tasks::statusTimestamp,
      Comparator.nullsFirst(Comparator.comparingLong(Timestamp::getSeconds).thenComparingInt(Timestamp::getNanos)));

  /** Oldest first by creation time in the store; unknown creation times sort first. */
  public static final Comparator<Task> BY_CREATION = Comparator.comparing(
      (Task t) -> t.getMeta().hasCreatedAt() ? t.getMeta().getCreatedAt() : null,
      Comparator.nullsFirst(Comparator.comparingLong(Timestamp::getSeconds).thenComparingInt(Timestamp::getNanos)));

  private Tasks() {}

  /**
   * A new task for {@code service} in {@code slot} (replicated) or pinned to {@code nodeId} (global;
   * empty otherwise), desired RUNNING, carrying the service's task spec, annotations, spec version and
   * endpoint spec. {@code cluster} may be null; it supplies the default log driver.
   */
  public static Task newTask(Cluster cluster, Service service, long slot, String nodeId) {
    TaskSpec spec = service.getSpec().getTask();
    Task.Builder task = Task.newBuilder()
        .setId(Identity.newId())
        .setServiceAnnotations(service.getSpec().getAnnotations())
        .setSpec(spec)
        .setServiceId(service.getId())
        .setSlot(slot)
        .setStatus(TaskStatus.newBuilder()
            .setState(INITIAL_STATE)
            .setTimestamp(now())
            .setMessage(INITIAL_MESSAGE))
        .setDesiredState(TaskState.RUNNING);
    if (service.hasSpecVersion()) {
      task.setSpecVersion(service.getSpecVersion());
    }
    Endpoint.Builder endpoint = Endpoint.newBuilder();
    if (service.getSpec().hasEndpoint()) {
      endpoint.setSpec(service.getSpec().getEndpoint());
    }
    task.setEndpoint(endpoint);
    if (spec.hasLogDriver()) {
      task.setLogDriver(spec.getLogDriver());
    } else if (cluster != null && cluster.getSpec().getTaskDefaults().hasLogDriver()) {
      task.setLogDriver(cluster.getSpec().getTaskDefaults().getLogDriver());
    }
    if (nodeId != null && !nodeId.isEmpty()) {
      task.setNodeId(nodeId);
    }
    return task.build();
  }

  /** The restart condition of a task; ANY when it has no restart policy. */
  public static RestartPolicy.RestartCondition restartCondition(Task task) {
    return task.getSpec().hasRestart() ? task.getSpec().getRestart().getCondition() : RestartPolicy.RestartCondition.ANY;
  }

  /** The restart delay of a task; the default when it has none. */
  public static Duration restartDelay(Task task) {
    if (task.getSpec().hasRestart() && task.getSpec().getRestart().hasDelay()) {
      com.google.protobuf.Duration d = task.getSpec().getRestart().getDelay();
      return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }
    return DEFAULT_RESTART_DELAY;
  }

  /**
   * Whether a task no longer matches its service and must be replaced: false when the spec versions
   * are equal, or when only the placement constraints changed and {@code node} still satisfies them,
   * or when task spec and endpoint spec are unchanged. Pull options are ignored for tasks that have
   * already got their image (observed READY..RUNNING).
   */
  public static boolean isTaskDirty(Service service, Task task, Node node) {
    if (task.hasSpecVersion() && service.hasSpecVersion() && service.getSpecVersion().equals(task.getSpecVersion())) {
      return false;
    }
    TaskSpec serviceTaskSpec = service.getSpec().getTask();
    if (isDirtyPlacementConstraintsOnly(serviceTaskSpec, task) && nodeMatches(service, node)) {
      return false;
    }
    TaskState current = task.getStatus().getState();
    boolean ignorePullOptions = TaskStates.isAtMost(task.getDesiredState(), TaskState.RUNNING)
        && TaskStates.isAtLeast(current, TaskState.READY)
        && TaskStates.isAtMost(current, TaskState.RUNNING);
    if (ignorePullOptions && serviceTaskSpec.hasContainer() && task.getSpec().hasContainer()) {
      ContainerSpec.Builder container = serviceTaskSpec.getContainer().toBuilder();
      if (task.getSpec().getContainer().hasPullOptions()) {
        container.setPullOptions(task.getSpec().getContainer().getPullOptions());
      } else {
        container.clearPullOptions();
      }
      serviceTaskSpec = serviceTaskSpec.toBuilder().setContainer(container).build();
    }
    return !serviceTaskSpec.equals(task.getSpec())
        || (task.hasEndpoint() && !service.getSpec().getEndpoint().equals(task.getEndpoint().getSpec()));
  }

  /** Whether the placement is the only difference between a service's task spec and a task's. */
  public static boolean isDirtyPlacementConstraintsOnly(TaskSpec serviceTaskSpec, Task task) {
    if (serviceTaskSpec.getPlacement().equals(task.getSpec().getPlacement())
        && serviceTaskSpec.hasPlacement() == task.getSpec().hasPlacement()) {
      return false;
    }
    TaskSpec.Builder withTaskPlacement = serviceTaskSpec.toBuilder();
    if (task.getSpec().hasPlacement()) {
      withTaskPlacement.setPlacement(task.getSpec().getPlacement());
    } else {
      withTaskPlacement.clearPlacement();
    }
    return withTaskPlacement.build().equals(task.getSpec());
  }

  private static boolean nodeMatches(Service service, Node node) {
    if (node == null) {
      return false;
    }
    return PlacementConstraints.parseLenient(service.getSpec().getTask().getPlacement().getConstraintsList())
        .matches(node);
  }

  /** A node that cannot keep tasks: missing, down, or drained. */
  public static boolean invalidNode(Node node) {
    return node == null
        || node.getStatus().getState() == NodeStatus.State.DOWN
        || node.getSpec().getAvailability() == NodeSpec.Availability.DRAIN;
  }

  /** The manager's applied-at time if set, else the status timestamp; null when neither is set. */
  public static Timestamp statusTimestamp(Task task) {
    if (task.getStatus().hasAppliedAt()) {
      return task.getStatus().getAppliedAt();
    }
    return task.getStatus().hasTimestamp() ? task.getStatus().getTimestamp() : null;
  }

  public static Instant toInstant(Timestamp ts) {
    return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
  }

  public static Timestamp now() {
    Instant now = Instant.now();
    return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
  }
}
