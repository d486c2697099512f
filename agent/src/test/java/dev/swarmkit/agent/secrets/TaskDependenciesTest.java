package dev.swarmkit.agent.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import org.junit.jupiter.api.Test;

class TaskDependenciesTest {

  private final Dependencies store = new Dependencies();
  private final Task task = Task.newBuilder().setId("t1").setSpec(TaskSpec.newBuilder().setContainer(
      ContainerSpec.newBuilder()
          .addSecrets(SecretReference.newBuilder().setSecretId("mine").setSecretName("a")
              .setFile(FileTarget.newBuilder().setName("a")))
          .addConfigs(ConfigReference.newBuilder().setConfigId("cfg").setConfigName("c")
              .setFile(FileTarget.newBuilder().setName("/c"))))).build();

  @Test
  void aTaskReadsOnlyTheSecretsAndConfigsItsSpecReferences() throws Exception {
    store.putSecret(Secret.newBuilder().setId("mine").build());
    store.putSecret(Secret.newBuilder().setId("theirs").build());
    store.putConfig(Config.newBuilder().setId("cfg").build());
    TaskDependencies deps = TaskDependencies.restrict(store, task);

    assertThat(deps.secret("mine").getId()).isEqualTo("mine");
    assertThat(deps.secretByTarget("a").getId()).isEqualTo("mine");
    assertThat(deps.configByTarget("/c").getId()).isEqualTo("cfg");
    assertThatThrownBy(() -> deps.secret("theirs")).hasMessage("task not authorized to access secret theirs");
    assertThatThrownBy(() -> deps.config("other")).hasMessage("task not authorized to access config other");
    assertThatThrownBy(() -> deps.secretByTarget("b")).hasMessage("secret target b not found");
  }

  @Test
  void aRemovedSecretIsGoneFromMemory() {
    store.putSecret(Secret.newBuilder().setId("mine").build());
    store.removeSecret("mine");
    assertThat(store.secret("mine")).isEmpty();
    assertThatThrownBy(() -> TaskDependencies.restrict(store, task).secret("mine"))
        .hasMessage("secret mine not found");
  }
}
