package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.GetConfigRequest;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.RemoveConfigRequest;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.UpdateConfigRequest;
import dev.swarmkit.api.UpdateSecretRequest;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretConfigControlTest {

  private final ControlTestServer ts = new ControlTestServer();

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  private static SecretSpec secretSpec(String name, String data) {
    return SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
        .setData(ByteString.copyFromUtf8(data)).build();
  }

  private Secret createSecret(SecretSpec spec) {
    return ts.client.createSecret(CreateSecretRequest.newBuilder().setSpec(spec).build()).getSecret();
  }

  @Test
  void secretDataIsStoredButNeverReturned() {
    Secret created = createSecret(secretSpec("db-password", "hunter2"));

    assertThat(created.getSpec().getData()).isEmpty();
    assertThat(ts.get(Table.SECRETS, created.getId()).orElseThrow().getSpec().getData().toStringUtf8())
        .isEqualTo("hunter2");
    assertThat(ts.client.getSecret(GetSecretRequest.newBuilder().setSecretId(created.getId()).build())
        .getSecret().getSpec().getData()).isEmpty();
    assertThat(ts.client.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList())
        .singleElement().satisfies(s -> assertThat(s.getSpec().getData()).isEmpty());

    Secret relabeled = ts.client.updateSecret(UpdateSecretRequest.newBuilder().setSecretId(created.getId())
        .setSecretVersion(created.getMeta().getVersion())
        .setSpec(created.getSpec().toBuilder().setAnnotations(Annotations.newBuilder().setName("db-password")
            .putLabels("env", "prod"))).build()).getSecret();
    assertThat(relabeled.getSpec().getData()).isEmpty();
    assertThat(relabeled.getSpec().getAnnotations().getLabelsMap()).containsEntry("env", "prod");
    assertThat(ts.get(Table.SECRETS, created.getId()).orElseThrow().getSpec().getData().toStringUtf8())
        .isEqualTo("hunter2");
  }

  @Test
  void createSecretValidatesNameSizeAndUniqueness() {
    createSecret(secretSpec("taken", "x"));
    List<Object> before = ts.snapshot();
    String badName = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end "
        + "character must be [a-zA-Z0-9]";

    assertFails(() -> createSecret(secretSpec("", "x")), Status.Code.INVALID_ARGUMENT, "name must be provided");
    assertFails(() -> createSecret(secretSpec("-dash", "x")), Status.Code.INVALID_ARGUMENT, badName);
    assertFails(() -> createSecret(secretSpec("a".repeat(65), "x")), Status.Code.INVALID_ARGUMENT, badName);
    assertFails(() -> createSecret(secretSpec("empty", "")), Status.Code.INVALID_ARGUMENT,
        "secret data must be larger than 0 and less than 512000 bytes");
    assertFails(() -> createSecret(secretSpec("huge", "x".repeat(500 * 1024))), Status.Code.INVALID_ARGUMENT,
        "secret data must be larger than 0 and less than 512000 bytes");
    assertFails(() -> createSecret(secretSpec("driven", "").toBuilder().setDriver(Driver.getDefaultInstance())
        .build()), Status.Code.INVALID_ARGUMENT, "secret driver must have a name");
    assertFails(() -> createSecret(secretSpec("taken", "y")), Status.Code.ALREADY_EXISTS,
        "secret taken already exists");
    assertThat(ts.snapshot()).isEqualTo(before);

    createSecret(secretSpec("file.name_with-all.chars", "x"));
  }

  @Test
  void secretsFromADriverAreRefusedAsNoSecretDriverPluginExists() {
    List<Object> before = ts.snapshot();

    assertFails(() -> createSecret(secretSpec("driven", "").toBuilder()
            .setDriver(Driver.newBuilder().setName("vault")).build()),
        Status.Code.UNIMPLEMENTED, "secret driver vault is not available: secret driver plugins are not supported "
            + "by this swarm; create the secret with its data instead");

    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void updateSecretOnlyChangesLabels() {
    Secret secret = createSecret(secretSpec("api-key", "k1"));
    List<Object> before = ts.snapshot();
    UpdateSecretRequest.Builder update = UpdateSecretRequest.newBuilder().setSecretId(secret.getId())
        .setSecretVersion(secret.getMeta().getVersion());

    assertFails(() -> ts.client.updateSecret(update.setSpec(secretSpec("api-key", "k2")).build()),
        Status.Code.INVALID_ARGUMENT, "only updates to Labels are allowed");
    assertFails(() -> ts.client.updateSecret(update.setSpec(secretSpec("renamed", "")).build()),
        Status.Code.INVALID_ARGUMENT, "only updates to Labels are allowed");
    assertFails(() -> ts.client.updateSecret(update.setSecretId("nope").build()),
        Status.Code.NOT_FOUND, "secret nope not found");
    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void aSecretInUseCannotBeRemoved() {
    Secret secret = createSecret(secretSpec("tls", "cert"));
    ServiceSpec spec = ServiceControlTest.spec("web");
    ServiceSpec withSecret = spec.toBuilder().setTask(spec.getTask().toBuilder().setContainer(
        spec.getTask().getContainer().toBuilder().addSecrets(SecretReference.newBuilder()
            .setSecretId(secret.getId()).setSecretName("tls").setFile(FileTarget.newBuilder().setName("tls")))))
        .build();
    ts.client.createService(CreateServiceRequest.newBuilder().setSpec(withSecret).build());
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.removeSecret(RemoveSecretRequest.newBuilder().setSecretId(secret.getId()).build()),
        Status.Code.INVALID_ARGUMENT, "secret 'tls' is in use by the following service: web");
    assertThat(ts.snapshot()).isEqualTo(before);
    assertFails(() -> ts.client.removeSecret(RemoveSecretRequest.newBuilder().setSecretId("nope").build()),
        Status.Code.NOT_FOUND, "could not find secret nope");
    assertFails(() -> ts.client.removeSecret(RemoveSecretRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "secret ID must be provided");
  }

  @Test
  void listSecretsFiltersAndHidesInternalSecrets() {
    Secret a = createSecret(secretSpec("alpha", "1").toBuilder().setAnnotations(Annotations.newBuilder()
        .setName("alpha").putLabels("team", "x")).build());
    Secret b = createSecret(secretSpec("beta", "2"));
    ts.store.update(tx -> tx.create(Table.SECRETS, Secret.newBuilder().setId("internal").setInternal(true)
        .setSpec(secretSpec("internal", "3")).build()));

    assertThat(listSecrets(ListSecretsRequest.Filters.getDefaultInstance())).containsExactlyInAnyOrder(a.getId(), b.getId());
    assertThat(listSecrets(ListSecretsRequest.Filters.newBuilder().addNames("beta").addNamePrefixes("al").build()))
        .containsExactlyInAnyOrder(a.getId(), b.getId());
    assertThat(listSecrets(ListSecretsRequest.Filters.newBuilder().putLabels("team", "x").build()))
        .containsExactly(a.getId());
  }

  private List<String> listSecrets(ListSecretsRequest.Filters filters) {
    return ts.client.listSecrets(ListSecretsRequest.newBuilder().setFilters(filters).build())
        .getSecretsList().stream().map(Secret::getId).toList();
  }

  private static ConfigSpec configSpec(String name, String data) {
    return ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
        .setData(ByteString.copyFromUtf8(data)).build();
  }

  private Config createConfig(ConfigSpec spec) {
    return ts.client.createConfig(CreateConfigRequest.newBuilder().setSpec(spec).build()).getConfig();
  }

  @Test
  void configsAreStoredReturnedAndRelabeled() {
    Config config = createConfig(configSpec("nginx.conf", "server {}"));

    assertThat(config.getSpec().getData().toStringUtf8()).isEqualTo("server {}");
    assertThat(ts.client.getConfig(GetConfigRequest.newBuilder().setConfigId(config.getId()).build()).getConfig())
        .isEqualTo(config);
    Config relabeled = ts.client.updateConfig(UpdateConfigRequest.newBuilder().setConfigId(config.getId())
        .setConfigVersion(config.getMeta().getVersion())
        .setSpec(configSpec("nginx.conf", "").toBuilder().setAnnotations(Annotations.newBuilder()
            .setName("nginx.conf").putLabels("v", "2"))).build()).getConfig();
    assertThat(relabeled.getSpec().getAnnotations().getLabelsMap()).containsEntry("v", "2");
    assertThat(relabeled.getSpec().getData().toStringUtf8()).isEqualTo("server {}");
    assertThat(ts.client.listConfigs(ListConfigsRequest.newBuilder().setFilters(ListConfigsRequest.Filters
        .newBuilder().putLabels("v", "2")).build()).getConfigsList()).containsExactly(relabeled);

    assertFails(() -> ts.client.updateConfig(UpdateConfigRequest.newBuilder().setConfigId(config.getId())
            .setConfigVersion(config.getMeta().getVersion()).setSpec(configSpec("nginx.conf", "")).build()),
        Status.Code.INVALID_ARGUMENT, "update out of sequence");
  }

  @Test
  void createConfigValidatesAndRemoveConfigRefusesWhileInUse() {
    assertFails(() -> createConfig(configSpec("empty", "")), Status.Code.INVALID_ARGUMENT,
        "config data must be larger than 0 and less than 1024000 bytes");
    assertFails(() -> createConfig(configSpec("bad name", "x")), Status.Code.INVALID_ARGUMENT,
        "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]");
    Config config = createConfig(configSpec("app.yml", "a: 1"));
    assertFails(() -> createConfig(configSpec("app.yml", "a: 2")), Status.Code.ALREADY_EXISTS,
        "config app.yml already exists");

    ServiceSpec spec = ServiceControlTest.spec("api");
    ts.client.createService(CreateServiceRequest.newBuilder().setSpec(spec.toBuilder().setTask(spec.getTask()
        .toBuilder().setContainer(spec.getTask().getContainer().toBuilder().addConfigs(ConfigReference.newBuilder()
            .setConfigId(config.getId()).setConfigName("app.yml").setFile(FileTarget.newBuilder().setName("app")))))
        ).build());
    assertFails(() -> ts.client.removeConfig(RemoveConfigRequest.newBuilder().setConfigId(config.getId()).build()),
        Status.Code.INVALID_ARGUMENT, "config 'app.yml' is in use by the following service: api");
    assertThat(ts.get(Table.CONFIGS, config.getId())).isPresent();
  }
}
