package dev.swarmkit.executor.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.Task;
import org.junit.jupiter.api.Test;

class SpecTemplatesTest {

  private static final NodeDescription NODE = NodeDescription.newBuilder().setHostname("worker7")
      .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64")).build();

  private static Task task(ContainerSpec.Builder spec) {
    Task t = TestTasks.task("node-1", "api", 4, spec);
    return t.toBuilder().setServiceAnnotations(Annotations.newBuilder().setName("api").putLabels("tier", "back")).build();
  }

  @Test
  void envHostnameAndMountsAreExpandedFromTaskServiceAndNode() throws Exception {
    Task task = task(TestTasks.shell("true")
        .addEnv("WHO={{.Service.Name}}.{{.Task.Slot}}@{{.Node.Hostname}}")
        .addEnv("TIER={{.Service.Labels.tier}}/{{index .Service.Labels \"tier\"}}")
        .addEnv("PLAIN")
        .setHostname("{{.Node.Platform.OS}}-{{.Task.ID}}")
        .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("data-{{.Task.Slot}}").setTarget("/d")));

    ContainerSpec spec = SpecTemplates.expand(NODE, task);

    assertThat(spec.getEnvList()).containsExactly("WHO=api.4@worker7", "TIER=back/back", "PLAIN");
    assertThat(spec.getHostname()).isEqualTo("linux-" + task.getId());
    assertThat(spec.getMounts(0).getSource()).isEqualTo("data-4");
  }

  @Test
  void unknownExpressionsAndMissingLabelsRejectTheTask() {
    assertThatThrownBy(() -> SpecTemplates.expand(NODE, task(TestTasks.shell("true").addEnv("X={{.Secret}}"))))
        .isInstanceOf(ExecutorException.Rejected.class)
        .hasMessageStartingWith("expanding env \"X={{.Secret}}\": unsupported template expression {{.Secret}}");
    assertThatThrownBy(() -> SpecTemplates.expand(NODE, task(TestTasks.shell("true").setHostname("{{.Service.Labels.nope}}"))))
        .hasMessage("expanding hostname failed: map has no entry for key \"nope\"");
  }
}
