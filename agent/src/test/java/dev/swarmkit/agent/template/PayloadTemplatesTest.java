package dev.swarmkit.agent.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.swarmkit.agent.secrets.Dependencies;
import dev.swarmkit.agent.secrets.TaskDependencies;
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
import org.junit.jupiter.api.Test;

class PayloadTemplatesTest {

  private final Dependencies store = new Dependencies();
  private final Task task = Task.newBuilder().setId("t1").setServiceId("s1").setNodeId("n1").setSlot(2)
      .setServiceAnnotations(Annotations.newBuilder().setName("db"))
      .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("img").addEnv("PORT=5432")
          .addSecrets(SecretReference.newBuilder().setSecretId("sec1").setSecretName("dbpass")
              .setFile(FileTarget.newBuilder().setName("dbpass")))
          .addConfigs(ConfigReference.newBuilder().setConfigId("cfg1").setConfigName("conf")
              .setFile(FileTarget.newBuilder().setName("/etc/app.conf")))))
      .build();
  private final PayloadTemplates payloads =
      new PayloadTemplates(TemplateContext.of(null, task, "db.2.t1"), task, TaskDependencies.restrict(store, task));

  private static Driver golang() {
    return Driver.newBuilder().setName("golang").build();
  }

  @Test
  void plainDataIsReturnedAsItIsEvenIfItLooksLikeATemplate() throws Exception {
    Config c = Config.newBuilder().setId("cfg1").setSpec(ConfigSpec.newBuilder()
        .setData(ByteString.copyFromUtf8("{{.Task.ID}}"))).build();
    assertThat(payloads.configData(c).toStringUtf8()).isEqualTo("{{.Task.ID}}");
  }

  @Test
  void templatedConfigSeesContextEnvAndTheTasksOwnSecretsAndConfigs() throws Exception {
    store.putSecret(Secret.newBuilder().setId("sec1").setSpec(SecretSpec.newBuilder()
        .setData(ByteString.copyFromUtf8("hunter2"))).build());
    Config c = Config.newBuilder().setId("cfg1").setSpec(ConfigSpec.newBuilder().setTemplating(golang())
        .setData(ByteString.copyFromUtf8("{{.Service.Name}}.{{.Task.Slot}} port={{env \"PORT\"}} pw={{secret \"dbpass\"}}")))
        .build();
    store.putConfig(c);
    assertThat(payloads.configData(c).toStringUtf8()).isEqualTo("db.2 port=5432 pw=hunter2");
    Secret templated = Secret.newBuilder().setId("sec1").setSpec(SecretSpec.newBuilder().setTemplating(golang())
        .setData(ByteString.copyFromUtf8("len:{{config \"/etc/app.conf\"}}"))).build();
    assertThat(payloads.secretData(templated).toStringUtf8()).startsWith("len:{{.Service.Name}}");
  }

  @Test
  void secretsNotReferencedByTheTaskOrMissingOnTheNodeAreErrors() {
    Config c = Config.newBuilder().setId("cfg1").setSpec(ConfigSpec.newBuilder().setTemplating(golang())
        .setData(ByteString.copyFromUtf8("{{secret \"other\"}}"))).build();
    assertThatThrownBy(() -> payloads.configData(c))
        .hasMessage("failed to expand templated config cfg1: error calling secret: secret target other not found");
    Config missing = c.toBuilder().setSpec(c.getSpec().toBuilder()
        .setData(ByteString.copyFromUtf8("{{secret \"dbpass\"}}"))).build();
    assertThatThrownBy(() -> payloads.configData(missing)).hasMessageEndingWith("secret sec1 not found");
  }

  @Test
  void unknownTemplatingDriversAndBinaryDataAreRefused() {
    Secret s = Secret.newBuilder().setId("sec1").setSpec(SecretSpec.newBuilder()
        .setTemplating(Driver.newBuilder().setName("jinja")).setData(ByteString.copyFromUtf8("x"))).build();
    assertThatThrownBy(() -> payloads.secretData(s)).hasMessageContaining("unrecognized template type \"jinja\"");
    Secret binary = s.toBuilder().setSpec(s.getSpec().toBuilder().setTemplating(golang())
        .setData(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xfe}))).build();
    assertThatThrownBy(() -> payloads.secretData(binary)).hasMessageContaining("is not UTF-8 text");
  }
}
