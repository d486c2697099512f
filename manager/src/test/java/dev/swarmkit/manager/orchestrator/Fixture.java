package dev.swarmkit.manager.orchestrator;

import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.GlobalService;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.OrchestrationConfig;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/** Builds cluster objects in a store and plays the scheduler's and agents' parts in tests. */
public final class Fixture {

  public final Store store;

  public Fixture() {
    this(newStore());
  }

  public Fixture(Store store) {
    this.store = store;
  }

  /** The store the orchestrator tests run on: the real local (non-replicated) store. */
  static Store newStore() {
    return new MemoryStore();
  }

  public static RestartPolicy restartPolicy(RestartPolicy.RestartCondition condition, long maxAttempts,
      long windowSeconds) {
    return RestartPolicy.newBuilder().setCondition(condition).setDelay(Duration.getDefaultInstance())
        .setMaxAttempts(maxAttempts).setWindow(Duration.newBuilder().setSeconds(windowSeconds)).build();
  }

  /** Restart on any exit, immediately, without limit. */
  public static RestartPolicy restartImmediately() {
    return restartPolicy(RestartPolicy.RestartCondition.ANY, 0, 0);
  }

  public static TaskSpec taskSpec(RestartPolicy restart, String... constraints) {
    return TaskSpec.newBuilder()
        .setContainer(ContainerSpec.newBuilder().setImage("busybox:latest"))
        .setRestart(restart)
        .setPlacement(Placement.newBuilder().addAllConstraints(List.of(constraints)))
        .build();
  }

  public Service createReplicated(String name, long replicas, TaskSpec task) {
    Service s = Service.newBuilder()
        .setId(Identity.newId())
        .setSpec(ServiceSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(name))
            .setTask(task)
            .setReplicated(ReplicatedService.newBuilder().setReplicas(replicas)))
        .setSpecVersion(Version.newBuilder().setIndex(1))
        .build();
    store.update(tx -> tx.create(Table.SERVICES, s));
    return service(s.getId());
  }

  public Service createGlobal(String name, TaskSpec task) {
    Service s = Service.newBuilder()
        .setId(Identity.newId())
        .setSpec(ServiceSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(name))
            .setTask(task)
            .setGlobal(GlobalService.getDefaultInstance()))
        .setSpecVersion(Version.newBuilder().setIndex(1))
        .build();
    store.update(tx -> tx.create(Table.SERVICES, s));
    return service(s.getId());
  }

  public void updateService(String id, UnaryOperator<Service.Builder> change) {
    store.update(tx -> {
      Service s = tx.get(Table.SERVICES, id).orElseThrow();
      tx.update(Table.SERVICES, change.apply(s.toBuilder()).build());
    });
  }

  public void scale(String serviceId, long replicas) {
    updateService(serviceId, b -> {
      b.getSpecBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(replicas));
      return b;
    });
  }

  public void deleteService(String id) {
    store.update(tx -> tx.delete(Table.SERVICES, id));
  }

  public Service service(String id) {
    return store.view(tx -> tx.get(Table.SERVICES, id).orElseThrow());
  }

  public Node createNode(String hostname, String... labels) {
    NodeSpec.Builder spec = NodeSpec.newBuilder().setMembership(NodeSpec.Membership.ACCEPTED)
        .setAvailability(NodeSpec.Availability.ACTIVE);
    for (int i = 0; i + 1 < labels.length; i += 2) {
      spec.getAnnotationsBuilder().putLabels(labels[i], labels[i + 1]);
    }
    Node n = Node.newBuilder()
        .setId(Identity.newId())
        .setSpec(spec)
        .setDescription(NodeDescription.newBuilder().setHostname(hostname))
        .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY))
        .build();
    store.update(tx -> tx.create(Table.NODES, n));
    return n;
  }

  public void updateNode(String id, UnaryOperator<Node.Builder> change) {
    store.update(tx -> {
      Node n = tx.get(Table.NODES, id).orElseThrow();
      tx.update(Table.NODES, change.apply(n.toBuilder()).build());
    });
  }

  public void setAvailability(String nodeId, NodeSpec.Availability availability) {
    updateNode(nodeId, b -> {
      b.getSpecBuilder().setAvailability(availability);
      return b;
    });
  }

  public void setNodeState(String nodeId, NodeStatus.State state) {
    updateNode(nodeId, b -> {
      b.getStatusBuilder().setState(state);
      return b;
    });
  }

  public void deleteNode(String id) {
    store.update(tx -> tx.delete(Table.NODES, id));
  }

  public void createCluster(long taskHistoryRetentionLimit) {
    Cluster c = Cluster.newBuilder()
        .setId(Identity.newId())
        .setSpec(ClusterSpec.newBuilder()
            .setAnnotations(Annotations.newBuilder().setName(ClusterObjects.DEFAULT_CLUSTER_NAME))
            .setOrchestration(OrchestrationConfig.newBuilder().setTaskHistoryRetentionLimit(taskHistoryRetentionLimit)))
        .build();
    store.update(tx -> tx.create(Table.CLUSTERS, c));
  }

  public List<Task> tasks(String serviceId) {
    return store.view(tx -> tx.find(Table.TASKS, By.serviceId(serviceId)));
  }

  /** Tasks the orchestrator wants running (desired state up to RUNNING). */
  public List<Task> runnableTasks(String serviceId) {
    return tasks(serviceId).stream()
        .filter(t -> TaskStates.isAtMost(t.getDesiredState(), TaskState.RUNNING))
        .collect(Collectors.toList());
  }

  public List<Task> tasksOnNode(String nodeId) {
    return store.view(tx -> tx.find(Table.TASKS, By.nodeId(nodeId)));
  }

  public Task task(String id) {
    return store.view(tx -> tx.get(Table.TASKS, id).orElse(null));
  }

  public void createTask(Task task) {
    store.update(tx -> tx.create(Table.TASKS, task));
  }

  /** Plays scheduler and agent: assigns the task to the node and reports it RUNNING. */
  public void run(String taskId, String nodeId) {
    report(taskId, nodeId, TaskState.RUNNING);
  }

  /** Reports an observed state for a task (as an agent via the dispatcher would). */
  public void report(String taskId, String nodeId, TaskState state) {
    store.update(tx -> {
      Task t = tx.get(Table.TASKS, taskId).orElseThrow();
      Task.Builder b = t.toBuilder().setNodeId(nodeId);
      b.getStatusBuilder().setState(state).setTimestamp(Tasks.now()).setMessage(state.name().toLowerCase());
      tx.update(Table.TASKS, b.build());
    });
  }

  public void report(String taskId, TaskState state) {
    report(taskId, task(taskId).getNodeId(), state);
  }
}
