package dev.swarmkit.executor.docker.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.agent.secrets.Dependencies;
import dev.swarmkit.agent.secrets.TaskDependencies;
import dev.swarmkit.agent.template.PayloadTemplates;
import dev.swarmkit.agent.template.TemplateContext;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskFilesTest {

  private final Dependencies store = new Dependencies();

  {
    store.putSecret(Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder()
        .setData(ByteString.copyFromUtf8("pw"))).build());
    store.putConfig(Config.newBuilder().setId("c1").setSpec(ConfigSpec.newBuilder()
        .setTemplating(Driver.newBuilder().setName("golang"))
        .setData(ByteString.copyFromUtf8("name={{.Service.Name}}"))).build());
  }

  private static SecretReference.Builder secret(String target) {
    return SecretReference.newBuilder().setSecretId("s1").setSecretName("dbpass")
        .setFile(FileTarget.newBuilder().setName(target).setUid("1000").setGid("50").setMode(0400));
  }

  private static ConfigReference.Builder config(String target) {
    return ConfigReference.newBuilder().setConfigId("c1").setConfigName("conf")
        .setFile(FileTarget.newBuilder().setName(target).setMode(0444));
  }

  private List<TaskFile> files(ContainerSpec.Builder container) throws ExecutorException.Rejected {
    Task task = Task.newBuilder().setId("t1").setNodeId("n1").setSlot(1)
        .setServiceAnnotations(Annotations.newBuilder().setName("web"))
        .setSpec(TaskSpec.newBuilder().setContainer(container)).build();
    TaskDependencies deps = TaskDependencies.restrict(store, task);
    return TaskFiles.of(task.getSpec().getContainer(), deps,
        new PayloadTemplates(TemplateContext.of(null, task, "web.1.t1"), task, deps));
  }

  @Test
  void secretsGoUnderRunSecretsAndConfigsUnderRootUnlessTheTargetIsAbsolute() throws Exception {
    List<TaskFile> files = files(ContainerSpec.newBuilder()
        .addSecrets(secret("dbpass")).addSecrets(secret("/etc/pw"))
        .addConfigs(config("app.conf")).addConfigs(config("/etc/app/app.conf")));

    assertThat(files).extracting(TaskFile::target)
        .containsExactly("/run/secrets/dbpass", "/etc/pw", "/app.conf", "/etc/app/app.conf");
    TaskFile secret = files.get(0);
    assertThat(secret.kind()).isEqualTo(TaskFile.Kind.SECRET);
    assertThat(secret.data().toStringUtf8()).isEqualTo("pw");
    assertThat(List.of(secret.uid(), secret.gid(), secret.mode())).containsExactly(1000, 50, 0400);
    assertThat(files.get(2).data().toStringUtf8()).as("templated config").isEqualTo("name=web");
    assertThat(List.of(files.get(2).uid(), files.get(2).gid())).as("empty owner is root").containsExactly(0, 0);
    assertThat(secret.toString()).as("never prints the value").doesNotContain("pw");
  }

  @Test
  void whatCannotBeHonouredRejectsTheTask() {
    assertThatThrownBy(() -> files(ContainerSpec.newBuilder().addSecrets(secret("x").setSecretId("gone"))))
        .isInstanceOf(ExecutorException.Rejected.class).hasMessage("secret gone not found");
    assertThatThrownBy(() -> files(ContainerSpec.newBuilder().addSecrets(
        secret("x").setFile(FileTarget.newBuilder().setName("x").setUid("www-data")))))
        .hasMessageContaining("uid \"www-data\" is not a numeric ID");
    assertThatThrownBy(() -> files(ContainerSpec.newBuilder().addSecrets(
        secret("x").setFile(FileTarget.newBuilder().setName("x").setMode(04755)))))
        .hasMessageContaining("file mode 4755 is not supported");
    assertThatThrownBy(() -> files(ContainerSpec.newBuilder().addConfigs(
        ConfigReference.newBuilder().setConfigId("c1").setConfigName("conf")
            .setRuntime(dev.swarmkit.api.RuntimeTarget.getDefaultInstance()))))
        .hasMessageContaining("runtime target (credential spec)");
    store.putSecret(Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder()
        .setDriver(Driver.newBuilder().setName("vault"))).build());
    assertThatThrownBy(() -> files(ContainerSpec.newBuilder().addSecrets(secret("x"))))
        .hasMessageContaining("secret driver \"vault\": secret drivers are not supported");
  }
}
