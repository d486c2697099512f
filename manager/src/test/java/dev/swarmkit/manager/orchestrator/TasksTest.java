package dev.swarmkit.manager.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import org.junit.jupiter.api.Test;

class TasksTest {

  private final Fixture fx = new Fixture();
  private final Service service = fx.createReplicated("web", 1, Fixture.taskSpec(Fixture.restartImmediately()));
  private final Node east = Node.newBuilder().setId("n1")
      .setSpec(NodeSpec.newBuilder().setAnnotations(dev.swarmkit.api.Annotations.newBuilder().putLabels("zone", "east")))
      .build();

  private Service withNewVersion(java.util.function.UnaryOperator<dev.swarmkit.api.TaskSpec.Builder> change) {
    Service.Builder b = service.toBuilder().setSpecVersion(Version.newBuilder().setIndex(2));
    b.getSpecBuilder().setTask(change.apply(service.getSpec().getTask().toBuilder()));
    return b.build();
  }

  @Test
  void newTaskCopiesTheServiceAndWaitsForAllocation() {
    Task t = Tasks.newTask(null, service, 3, "");
    assertThat(Identity.isId(t.getId())).isTrue();
    assertThat(t.getServiceId()).isEqualTo(service.getId());
    assertThat(t.getSlot()).isEqualTo(3);
    assertThat(t.getSpec()).isEqualTo(service.getSpec().getTask());
    assertThat(t.getSpecVersion()).isEqualTo(service.getSpecVersion());
    assertThat(t.getServiceAnnotations()).isEqualTo(service.getSpec().getAnnotations());
    assertThat(t.getDesiredState()).isEqualTo(TaskState.RUNNING);
    assertThat(t.getStatus().getState()).as("waits for the allocator").isEqualTo(TaskState.NEW);
    assertThat(t.getStatus().hasTimestamp()).isTrue();
    assertThat(t.hasEndpoint()).isTrue();
    assertThat(t.getNodeId()).isEmpty();
    assertThat(Tasks.newTask(null, service, 0, "node-x").getNodeId()).isEqualTo("node-x");
  }

  @Test
  void taskOfTheSameSpecVersionIsClean() {
    Task t = Tasks.newTask(null, service, 1, "");
    assertThat(Tasks.isTaskDirty(service, t, null)).isFalse();
  }

  @Test
  void changedImageMakesTheTaskDirty() {
    Task t = Tasks.newTask(null, service, 1, "");
    Service updated = withNewVersion(s -> s.setContainer(ContainerSpec.newBuilder().setImage("busybox:2")));
    assertThat(Tasks.isTaskDirty(updated, t, east)).isTrue();
  }

  @Test
  void constraintOnlyChangeKeepsTasksOnNodesThatStillMatch() {
    Task t = Tasks.newTask(null, service, 1, "n1");
    Service updated = withNewVersion(s -> s.setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==east")));
    assertThat(Tasks.isTaskDirty(updated, t, east)).isFalse();
    Service elsewhere = withNewVersion(s -> s.setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==west")));
    assertThat(Tasks.isTaskDirty(elsewhere, t, east)).isTrue();
  }

  @Test
  void addingRemovingOrRetargetingASecretOrConfigMakesARunningTaskDirty() {
    Service withSecret = withNewVersion(s -> {
      s.getContainerBuilder().addSecrets(dev.swarmkit.api.SecretReference.newBuilder().setSecretId("s1")
          .setSecretName("dbpass").setFile(dev.swarmkit.api.FileTarget.newBuilder().setName("dbpass").setMode(0444)));
      return s;
    });
    Task t = Tasks.newTask(null, withSecret, 1, "n1");
    Task running = t.toBuilder().setStatus(t.getStatus().toBuilder().setState(TaskState.RUNNING)).build();
    assertThat(Tasks.isTaskDirty(withSecret, running, east)).isFalse();
    assertThat(Tasks.isTaskDirty(service.toBuilder().setSpecVersion(Version.newBuilder().setIndex(3)).build(),
        running, east)).as("secret removed").isTrue();

    Service.Builder retargeted = withSecret.toBuilder().setSpecVersion(Version.newBuilder().setIndex(4));
    retargeted.getSpecBuilder().getTaskBuilder().getContainerBuilder().getSecretsBuilder(0).getFileBuilder()
        .setName("/etc/pw");
    assertThat(Tasks.isTaskDirty(retargeted.build(), running, east)).as("secret target changed").isTrue();

    Service.Builder withConfig = withSecret.toBuilder().setSpecVersion(Version.newBuilder().setIndex(5));
    withConfig.getSpecBuilder().getTaskBuilder().getContainerBuilder().addConfigs(dev.swarmkit.api.ConfigReference
        .newBuilder().setConfigId("c1").setConfigName("conf").setFile(dev.swarmkit.api.FileTarget.newBuilder().setName("/c")));
    assertThat(Tasks.isTaskDirty(withConfig.build(), running, east)).as("config added").isTrue();
  }

  @Test
  void pullOptionsAreIgnoredOnceTheImageIsThere() {
    Task t = Tasks.newTask(null, service, 1, "n1");
    Task running = t.toBuilder().setStatus(t.getStatus().toBuilder().setState(TaskState.RUNNING)).build();
    Service updated = withNewVersion(s -> {
      s.getContainerBuilder().getPullOptionsBuilder().setRegistryAuth("secret");
      return s;
    });
    assertThat(Tasks.isTaskDirty(updated, running, east)).isFalse();
    assertThat(Tasks.isTaskDirty(updated, t, east)).isTrue();
  }

  @Test
  void downOrDrainedOrMissingNodesAreInvalid() {
    assertThat(Tasks.invalidNode(null)).isTrue();
    assertThat(Tasks.invalidNode(east)).isFalse();
    assertThat(Tasks.invalidNode(east.toBuilder().setSpec(east.getSpec().toBuilder()
        .setAvailability(NodeSpec.Availability.DRAIN)).build())).isTrue();
    assertThat(Tasks.invalidNode(east.toBuilder().setStatus(dev.swarmkit.api.NodeStatus.newBuilder()
        .setState(dev.swarmkit.api.NodeStatus.State.DOWN)).build())).isTrue();
    assertThat(Tasks.invalidNode(east.toBuilder().setSpec(east.getSpec().toBuilder()
        .setAvailability(NodeSpec.Availability.PAUSE)).build())).isFalse();
  }
}
