package dev.swarmkit.scheduler;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.Version;

/** Builders for the nodes and tasks used in scheduler tests. */
final class Fixtures {

  private Fixtures() {}

  static Node.Builder readyNode(String id) {
    return Node.newBuilder()
        .setId(id)
        .setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(id)))
        .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("10.0.0.1"))
        .setDescription(NodeDescription.newBuilder().setHostname(id)
            .setEngine(EngineDescription.getDefaultInstance()));
  }

  static Node.Builder withResources(Node.Builder n, long nanoCpus, long memoryBytes) {
    n.getDescriptionBuilder().setResources(Resources.newBuilder().setNanoCpus(nanoCpus).setMemoryBytes(memoryBytes));
    return n;
  }

  static Node.Builder withLabel(Node.Builder n, String key, String value) {
    n.getSpecBuilder().getAnnotationsBuilder().putLabels(key, value);
    return n;
  }

  static Task.Builder pendingTask(String id, String serviceId) {
    return Task.newBuilder()
        .setId(id)
        .setServiceId(serviceId)
        .setMeta(Meta.newBuilder().setVersion(Version.newBuilder().setIndex(1)))
        .setDesiredState(TaskState.RUNNING)
        .setSpec(TaskSpec.getDefaultInstance())
        .setStatus(TaskStatus.newBuilder().setState(TaskState.PENDING));
  }

  static Task.Builder withReservations(Task.Builder t, long nanoCpus, long memoryBytes) {
    t.getSpecBuilder().setResources(ResourceRequirements.newBuilder()
        .setReservations(Resources.newBuilder().setNanoCpus(nanoCpus).setMemoryBytes(memoryBytes)));
    return t;
  }

  static Task.Builder withConstraints(Task.Builder t, String... constraints) {
    Placement.Builder p = t.getSpecBuilder().getPlacementBuilder();
    for (String c : constraints) {
      p.addConstraints(c);
    }
    return t;
  }

  static Task runningOn(Task.Builder t, String nodeId) {
    return t.setNodeId(nodeId).setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build();
  }
}
