package dev.swarmkit.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.NotFoundException;
import com.google.protobuf.Duration;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure mapping rules; no engine needed. */
class ContainerSpecMappingTest {

  private static Task taskWith(ContainerSpec.Builder spec) {
    return TestTasks.task("node1", "svc", 1, spec);
  }

  @Test
  void aTaskWithoutContainerSpecOrImageIsRejected() {
    Task noRuntime = Task.newBuilder().setId("t").setSpec(TaskSpec.getDefaultInstance()).build();
    assertThatThrownBy(() -> new ContainerSpecMapping(noRuntime))
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("task runtime is not a container");
    assertThatThrownBy(() -> new ContainerSpecMapping(taskWith(ContainerSpec.newBuilder())))
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("dockerexec: image required");
  }

  @Test
  void unknownCapabilitiesClusterVolumesAndLogDriversAreRejected() {
    assertThatThrownBy(() -> new ContainerSpecMapping(taskWith(TestTasks.shell("true").addCapabilityAdd("CAP_FLY"))))
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("unknown capability: CAP_FLY");
    assertThatThrownBy(() -> new ContainerSpecMapping(taskWith(TestTasks.shell("true")
        .addMounts(Mount.newBuilder().setType(Mount.Type.CLUSTER).setSource("v").setTarget("/v")))))
        .isInstanceOf(ExecutorException.Rejected.class)
        .hasMessage("mount type CLUSTER (target /v) is not supported by the Docker executor");
    Task withDriver = taskWith(TestTasks.shell("true")).toBuilder()
        .setLogDriver(Driver.newBuilder().setName("carrier-pigeon")).build();
    assertThatThrownBy(() -> new ContainerSpecMapping(withDriver))
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("unsupported log driver: carrier-pigeon");
  }

  @Test
  void capabilitiesAreAcceptedWithOrWithoutTheCapPrefix() throws Exception {
    new ContainerSpecMapping(taskWith(TestTasks.shell("true").addCapabilityAdd("net_admin").addCapabilityDrop("CAP_ALL")));
  }

  @Test
  void stopGracePeriodDefaultsToTenSecondsAsUpstream() throws Exception {
    ContainerSpec.Builder spec = TestTasks.shell("true").clearStopGracePeriod();
    assertThat(new ContainerSpecMapping(taskWith(spec)).stopGraceSeconds()).isEqualTo(10);
    spec.setStopGracePeriod(Duration.newBuilder().setSeconds(3).setNanos(900_000_000));
    assertThat(new ContainerSpecMapping(taskWith(spec)).stopGraceSeconds()).isEqualTo(3);
  }

  @Test
  void tmpfsOptionsCarryReadOnlyModeSizeAndExecFlags() {
    Mount mount = Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/t").setReadonly(true)
        .setTmpfsOptions(Mount.TmpfsOptions.newBuilder().setMode(0750).setSizeBytes(3L << 30)
            .setOptions("NoExec,bogus"))
        .build();
    assertThat(ContainerSpecMapping.tmpfsOptions(mount)).isEqualTo("ro,mode=750,size=3g,noexec");
    assertThat(ContainerSpecMapping.sizeWithUnit(1536L << 10)).isEqualTo("1536k");
    assertThat(ContainerSpecMapping.sizeWithUnit(1000)).isEqualTo("1000");
    assertThat(ContainerSpecMapping.tmpfsOptions(Mount.newBuilder().setType(Mount.Type.TMPFS).build())).isEmpty();
  }

  @Test
  void hostsLinesBecomeNameToAddressEntries() {
    assertThat(ContainerSpecMapping.extraHosts(List.of("10.0.0.1 db alias", "  ::1   local  ", "lonely")))
        .containsExactly("db:10.0.0.1", "alias:10.0.0.1", "local:::1");
  }

  @Test
  void containerNameIsTheAnnotationOrServiceSlotAndTaskId() {
    Task task = taskWith(TestTasks.shell("true"));
    assertThat(TaskContainers.name(task)).isEqualTo("svc.1." + task.getId());
    Task global = task.toBuilder().setSlot(0).build();
    assertThat(TaskContainers.name(global)).isEqualTo("svc.node1." + task.getId());
    Task named = task.toBuilder().setAnnotations(Annotations.newBuilder().setName("custom")).build();
    assertThat(TaskContainers.name(named)).isEqualTo("custom");
  }

  @Test
  void systemLabelsOverrideTaskLabelsWhichOverrideSpecLabels() {
    Task task = taskWith(TestTasks.shell("true")
        .putLabels("a", "spec").putLabels("b", "spec").putLabels("com.docker.swarm.task.id", "forged"))
        .toBuilder().setAnnotations(Annotations.newBuilder().putLabels("b", "task")).build();
    Map<String, String> labels = TaskContainers.labels(task);
    assertThat(labels).containsEntry("a", "spec").containsEntry("b", "task")
        .containsEntry("com.docker.swarm.task.id", task.getId())
        .containsEntry("com.docker.swarm.task", "");
  }

  @Test
  void logLinesSplitTheEnginesTimestampFromTheData() {
    LogLine line = LogLine.parse("2026-11-25T13:00:01.123456789Z hello world\n".getBytes(StandardCharsets.UTF_8));
    assertThat(line.timestampMillis()).isEqualTo(java.time.Instant.parse("2026-11-25T13:00:01.123Z").toEpochMilli());
    assertThat(new String(line.data(), StandardCharsets.UTF_8)).isEqualTo("hello world\n");
    assertThatThrownBy(() -> LogLine.parse("garbage".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("invalid timestamp in log message");
  }

  @Test
  void imageReferencesWithoutTagOrDigestArePulledAsLatest() {
    assertThat(ImagePuller.hasTagOrDigest("busybox")).isFalse();
    assertThat(ImagePuller.hasTagOrDigest("registry:5000/team/app")).isFalse();
    assertThat(ImagePuller.hasTagOrDigest("registry:5000/team/app:1.2")).isTrue();
    assertThat(ImagePuller.hasTagOrDigest("app@sha256:abc")).isTrue();
  }

  @Test
  void engineErrorsAreReducedToTheirMessage() {
    assertThat(DockerErrors.message(new NotFoundException("Status 404: {\"message\":\"No such container: x\"}\n")))
        .isEqualTo("No such container: x");
  }

  @Test
  void assignedGenericResourcesBecomeEnvironmentVariables() throws Exception {
    Task task = taskWith(TestTasks.shell("true").addEnv("A=1")).toBuilder()
        .addAssignedGenericResources(dev.swarmkit.api.GenericResource.newBuilder().setNamedResourceSpec(
            dev.swarmkit.api.NamedGenericResource.newBuilder().setKind("gpu").setValue("UUID1")))
        .addAssignedGenericResources(dev.swarmkit.api.GenericResource.newBuilder().setNamedResourceSpec(
            dev.swarmkit.api.NamedGenericResource.newBuilder().setKind("gpu").setValue("UUID2")))
        .addAssignedGenericResources(dev.swarmkit.api.GenericResource.newBuilder().setDiscreteResourceSpec(
            dev.swarmkit.api.DiscreteGenericResource.newBuilder().setKind("ssd").setValue(2)))
        .build();
    assertThat(new ContainerSpecMapping(task).env())
        .containsExactly("A=1", "DOCKER_RESOURCE_GPU=UUID1,UUID2", "DOCKER_RESOURCE_SSD=2");
  }

  @Test
  void pluginsAreSortedByTypeThenNameAndAlwaysIncludeOverlay() {
    var plugins = EngineDescription.plugins(Map.of("Volume", List.of("local"), "Network",
        List.of("bridge", "host"), "Log", List.of("json-file")));
    assertThat(plugins).extracting(p -> p.getType() + "/" + p.getName())
        .containsExactly("Log/json-file", "Network/bridge", "Network/host", "Network/overlay", "Volume/local");
  }
}
