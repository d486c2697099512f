package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.GenericRuntimeSpec;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GlobalService;
import dev.swarmkit.api.HealthConfig;
import dev.swarmkit.api.ListServiceStatusesRequest;
import dev.swarmkit.api.ListServiceStatusesResponse;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NetworkAttachmentSpec;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.ReplicatedJob;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.UpdateConfig;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceControlTest {

  private final ControlTestServer ts = new ControlTestServer();

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  static ServiceSpec spec(String name) {
    return ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name))
        .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("nginx:1.25")))
        .setReplicated(ReplicatedService.newBuilder().setReplicas(2))
        .build();
  }

  private Service create(ServiceSpec spec) {
    return ts.client.createService(CreateServiceRequest.newBuilder().setSpec(spec).build()).getService();
  }

  private static Arguments invalid(String why, UnaryOperator<ServiceSpec.Builder> change, Status.Code code,
      String message) {
    return Arguments.of(why, change, code, message);
  }

  private static UnaryOperator<ServiceSpec.Builder> container(UnaryOperator<ContainerSpec.Builder> change) {
    return s -> s.setTask(s.getTask().toBuilder().setContainer(change.apply(s.getTask().getContainer().toBuilder())));
  }

  private static UnaryOperator<ServiceSpec.Builder> task(UnaryOperator<TaskSpec.Builder> change) {
    return s -> s.setTask(change.apply(s.getTask().toBuilder()));
  }

  private static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        invalid("no name", s -> s.setAnnotations(Annotations.getDefaultInstance()),
            Status.Code.INVALID_ARGUMENT, "meta: name must be provided"),
        invalid("name not a DNS label", s -> s.setAnnotations(Annotations.newBuilder().setName("bad name")),
            Status.Code.INVALID_ARGUMENT, "name must be valid as a DNS name component"),
        invalid("name too long", s -> s.setAnnotations(Annotations.newBuilder().setName("a".repeat(64))),
            Status.Code.INVALID_ARGUMENT, "name must be 63 characters or fewer"),
        invalid("no runtime", task(TaskSpec.Builder::clearRuntime),
            Status.Code.INVALID_ARGUMENT, "TaskSpec: missing runtime"),
        invalid("attachment runtime", task(t -> t.setAttachment(NetworkAttachmentSpec.getDefaultInstance())),
            Status.Code.UNIMPLEMENTED, "RuntimeSpec: unimplemented runtime in service spec"),
        invalid("no image", container(c -> c.setImage("")),
            Status.Code.INVALID_ARGUMENT, "ContainerSpec: image reference must be provided"),
        invalid("bad image", container(c -> c.setImage("Nginx:latest")),
            Status.Code.INVALID_ARGUMENT, "ContainerSpec: \"Nginx:latest\" is not a valid repository/tag"),
        invalid("duplicate mount", container(c -> c
                .addMounts(Mount.newBuilder().setTarget("/data")).addMounts(Mount.newBuilder().setTarget("/data"))),
            Status.Code.INVALID_ARGUMENT, "ContainerSpec: duplicate mount point: /data"),
        invalid("tiny health interval", container(c -> c.setHealthcheck(HealthConfig.newBuilder()
                .setInterval(Duration.newBuilder().setNanos(1000)))),
            Status.Code.INVALID_ARGUMENT, "ContainerSpec: Interval in HealthConfig cannot be less than 1ms"),
        invalid("negative retries", container(c -> c.setHealthcheck(HealthConfig.newBuilder().setRetries(-1))),
            Status.Code.INVALID_ARGUMENT, "ContainerSpec: Retries in HealthConfig cannot be negative"),
        invalid("tiny cpu", task(t -> t.setResources(ResourceRequirements.newBuilder()
                .setLimits(Resources.newBuilder().setNanoCpus(1000)))),
            Status.Code.INVALID_ARGUMENT, "invalid cpu value 1e-06: Must be at least 0.001"),
        invalid("tiny memory", task(t -> t.setResources(ResourceRequirements.newBuilder()
                .setReservations(Resources.newBuilder().setMemoryBytes(1024)))),
            Status.Code.INVALID_ARGUMENT, "invalid memory value 1024: Must be at least 4MiB"),
        invalid("negative restart delay", task(t -> t.setRestart(RestartPolicy.newBuilder().setDelay(seconds(-1)))),
            Status.Code.INVALID_ARGUMENT, "TaskSpec: restart-delay cannot be negative"),
        invalid("negative restart window", task(t -> t.setRestart(RestartPolicy.newBuilder().setWindow(seconds(-1)))),
            Status.Code.INVALID_ARGUMENT, "TaskSpec: restart-window cannot be negative"),
        invalid("constraint without operator", task(t -> t.setPlacement(Placement.newBuilder()
                .addConstraints("node.role=manager"))),
            Status.Code.INVALID_ARGUMENT, "constraint expected one operator from ==, !="),
        invalid("constraint with bad key", task(t -> t.setPlacement(Placement.newBuilder()
                .addConstraints("no de==x"))),
            Status.Code.INVALID_ARGUMENT, "key 'no de' is invalid"),
        invalid("constraint with bad value", task(t -> t.setPlacement(Placement.newBuilder()
                .addConstraints("node.role==<manager"))),
            Status.Code.INVALID_ARGUMENT, "value '<manager' is invalid"),
        invalid("negative update delay", s -> s.setUpdate(UpdateConfig.newBuilder().setDelay(seconds(-1))),
            Status.Code.INVALID_ARGUMENT, "TaskSpec: update-delay cannot be negative"),
        invalid("negative update monitor", s -> s.setUpdate(UpdateConfig.newBuilder().setMonitor(seconds(-1))),
            Status.Code.INVALID_ARGUMENT, "TaskSpec: update-monitor cannot be negative"),
        invalid("failure ratio above one", s -> s.setUpdate(UpdateConfig.newBuilder().setMaxFailureRatio(1.5f)),
            Status.Code.INVALID_ARGUMENT,
            "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"),
        invalid("no mode", ServiceSpec.Builder::clearMode,
            Status.Code.INVALID_ARGUMENT, "Unrecognized service mode"),
        invalid("job with update config", s -> s.setReplicatedJob(ReplicatedJob.newBuilder().setMaxConcurrent(1))
                .setUpdate(UpdateConfig.getDefaultInstance()),
            Status.Code.INVALID_ARGUMENT, "Jobs may not have an update config"),
        invalid("duplicate published port", s -> s.setEndpoint(EndpointSpec.newBuilder()
                .addPorts(PortConfig.newBuilder().setTargetPort(80).setPublishedPort(8080))
                .addPorts(PortConfig.newBuilder().setTargetPort(81).setPublishedPort(8080))),
            Status.Code.INVALID_ARGUMENT, "EndpointSpec: duplicate published ports provided"),
        invalid("ingress port with dnsrr", s -> s.setEndpoint(EndpointSpec.newBuilder()
                .setMode(EndpointSpec.ResolutionMode.DNSRR)
                .addPorts(PortConfig.newBuilder().setTargetPort(80).setPublishedPort(8080))),
            Status.Code.INVALID_ARGUMENT,
            "EndpointSpec: port published with ingress mode can't be used with dnsrr mode"),
        invalid("secret reference without target", container(c -> c.addSecrets(SecretReference.newBuilder()
                .setSecretId("s1").setSecretName("db"))),
            Status.Code.INVALID_ARGUMENT, "malformed secret reference, no target provided"),
        invalid("secret references sharing a file", container(c -> c
                .addSecrets(SecretReference.newBuilder().setSecretId("s1").setSecretName("a")
                    .setFile(FileTarget.newBuilder().setName("f")))
                .addSecrets(SecretReference.newBuilder().setSecretId("s2").setSecretName("b")
                    .setFile(FileTarget.newBuilder().setName("f")))),
            Status.Code.INVALID_ARGUMENT, "secret references 'a' and 'b' have a conflicting target: 'f'"),
        invalid("config reference without id", container(c -> c.addConfigs(ConfigReference.newBuilder()
                .setConfigName("c"))),
            Status.Code.INVALID_ARGUMENT, "malformed config reference"),
        invalid("generic runtime with short kind", task(t -> t.setGeneric(GenericRuntimeSpec.newBuilder()
                .setKind("ab"))),
            Status.Code.INVALID_ARGUMENT, "Generic runtime: Invalid name \"ab\""),
        invalid("generic runtime with reserved kind", task(t -> t.setGeneric(GenericRuntimeSpec.newBuilder()
                .setKind("Container").setPayload(Any.newBuilder().setTypeUrl("x").setValue(ByteString.copyFromUtf8("y"))))),
            Status.Code.INVALID_ARGUMENT, "Generic runtime: \"Container\" is a reserved name"),
        invalid("generic runtime without payload", task(t -> t.setGeneric(GenericRuntimeSpec.newBuilder()
                .setKind("plugin"))),
            Status.Code.INVALID_ARGUMENT, "Generic runtime is missing payload"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void createServiceRefusesAnInvalidSpecAndChangesNothing(String why, UnaryOperator<ServiceSpec.Builder> change,
      Status.Code code, String message) {
    ServiceSpec bad = change.apply(spec("web").toBuilder()).build();

    assertFails(() -> create(bad), code, message);
    assertThat(ts.snapshot()).isEmpty();
  }

  @Test
  void createServiceStoresTheSpecAndReturnsTheService() {
    Service service = create(spec("web"));

    assertThat(service.getId()).hasSize(25);
    assertThat(service.getSpec()).isEqualTo(spec("web"));
    assertThat(service.getMeta().getVersion().getIndex()).isPositive();
    assertThat(ts.get(Table.SERVICES, service.getId())).contains(service);
  }

  @Test
  void createServiceAcceptsImagesWithRegistryAndDigestButNotTemplates() {
    create(spec("a").toBuilder().setTask(spec("a").getTask().toBuilder()
        .setContainer(ContainerSpec.newBuilder().setImage("registry.local:5000/team/app@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))).build());
    ServiceSpec templated = spec("b").toBuilder().setTask(spec("b").getTask().toBuilder()
        .setContainer(ContainerSpec.newBuilder().setImage("{{.Service.Name}}:latest"))).build();

    assertFails(() -> create(templated), Status.Code.INVALID_ARGUMENT,
        "ContainerSpec: \"{{.Service.Name}}:latest\" is not a valid repository/tag");
    assertThat(ts.all(Table.SERVICES)).hasSize(1);
  }

  @Test
  void createServiceRefusesADuplicateName() {
    create(spec("web"));
    List<Object> before = ts.snapshot();

    assertFails(() -> create(spec("web")), Status.Code.ALREADY_EXISTS,
        "name conflicts with an existing object: service web already exists");
    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void createServiceNeedsTheReferencedSecretsToExist() {
    String secretId = ts.client.createSecret(CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName("db")).setData(ByteString.copyFromUtf8("pw"))).build())
        .getSecret().getId();
    ServiceSpec withSecrets = container(c -> c
        .addSecrets(SecretReference.newBuilder().setSecretId(secretId).setSecretName("db")
            .setFile(FileTarget.newBuilder().setName("db")))
        .addSecrets(SecretReference.newBuilder().setSecretId("missing").setSecretName("api")
            .setFile(FileTarget.newBuilder().setName("api")))).apply(spec("web").toBuilder()).build();
    List<Object> before = ts.snapshot();

    assertFails(() -> create(withSecrets), Status.Code.INVALID_ARGUMENT, "secret not found: api");
    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void createServiceNeedsTheReferencedConfigsToExistUnderTheirName() {
    ServiceSpec withConfigs = container(c -> c
        .addConfigs(ConfigReference.newBuilder().setConfigId("c1").setConfigName("a")
            .setFile(FileTarget.newBuilder().setName("a")))
        .addConfigs(ConfigReference.newBuilder().setConfigId("c2").setConfigName("b")
            .setFile(FileTarget.newBuilder().setName("b")))).apply(spec("web").toBuilder()).build();

    assertFails(() -> create(withConfigs), Status.Code.INVALID_ARGUMENT, "configs not found: a, b");
    assertThat(ts.snapshot()).isEmpty();
  }

  @Test
  void publishedIngressPortsNeedAnIngressNetworkAndMayNotBeTakenTwice() {
    ServiceSpec published = spec("web").toBuilder().setEndpoint(EndpointSpec.newBuilder()
        .addPorts(PortConfig.newBuilder().setTargetPort(80).setPublishedPort(8080))).build();
    assertFails(() -> create(published), Status.Code.FAILED_PRECONDITION,
        "service needs ingress network, but no ingress network is present");

    Network ingress = DefaultNetworks.ingress();
    ts.store.update(tx -> tx.create(Table.NETWORKS, ingress));
    Service web = create(published);

    ServiceSpec other = published.toBuilder().setAnnotations(Annotations.newBuilder().setName("other")).build();
    assertFails(() -> create(other), Status.Code.INVALID_ARGUMENT,
        "port '8080' is already in use by service 'web' (" + web.getId() + ") as an ingress port");
    ServiceSpec attached = spec("attached").toBuilder().setTask(spec("attached").getTask().toBuilder()
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(ingress.getId()))).build();
    assertFails(() -> create(attached), Status.Code.INVALID_ARGUMENT,
        "Service cannot be explicitly attached to the ingress network \"ingress\"");
  }

  @Test
  void getServiceCanFillInDefaults() {
    Service service = create(spec("web"));

    Service plain = ts.client.getService(GetServiceRequest.newBuilder().setServiceId(service.getId()).build())
        .getService();
    Service filled = ts.client.getService(GetServiceRequest.newBuilder().setServiceId(service.getId())
        .setInsertDefaults(true).build()).getService();

    assertThat(plain).isEqualTo(service);
    assertThat(filled.getSpec().getTask().getRestart().getCondition()).isEqualTo(RestartPolicy.RestartCondition.ANY);
    assertThat(filled.getSpec().getTask().getRestart().getDelay()).isEqualTo(seconds(5));
    assertThat(filled.getSpec().getTask().getContainer().getStopGracePeriod()).isEqualTo(seconds(10));
    assertThat(filled.getSpec().getUpdate().getParallelism()).isEqualTo(1);
    assertThat(filled.getSpec().getRollback().getMonitor()).isEqualTo(seconds(5));
    assertFails(() -> ts.client.getService(GetServiceRequest.newBuilder().setServiceId("nope").build()),
        Status.Code.NOT_FOUND, "service nope not found");
    assertFails(() -> ts.client.getService(GetServiceRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
  }

  private UpdateServiceRequest.Builder updateOf(Service service, ServiceSpec spec) {
    return UpdateServiceRequest.newBuilder().setServiceId(service.getId())
        .setServiceVersion(service.getMeta().getVersion()).setSpec(spec);
  }

  @Test
  void updateServiceKeepsThePreviousSpecForRollback() {
    Service v1 = create(spec("web"));
    ServiceSpec scaled = spec("web").toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(5)).build();

    Service v2 = ts.client.updateService(updateOf(v1, scaled).build()).getService();

    assertThat(v2.getSpec()).isEqualTo(scaled);
    assertThat(v2.getPreviousSpec()).isEqualTo(v1.getSpec());
    assertThat(v2.getSpecVersion()).isEqualTo(v1.getMeta().getVersion());

    Service v3 = ts.client.updateService(updateOf(v2, scaled)
        .setRollback(UpdateServiceRequest.Rollback.PREVIOUS).build()).getService();

    assertThat(v3.getSpec()).isEqualTo(v1.getSpec());
    assertThat(v3.getPreviousSpec()).isEqualTo(scaled);
    assertThat(v3.getUpdateStatus().getState()).isEqualTo(UpdateStatus.UpdateState.ROLLBACK_STARTED);
    assertThat(v3.getUpdateStatus().getMessage()).isEqualTo("manually requested rollback");
  }

  @Test
  void updateServiceRefusesStaleVersionsModeChangesAndRenames() {
    Service v1 = create(spec("web"));
    Service v2 = ts.client.updateService(updateOf(v1, spec("web")).build()).getService();
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.updateService(updateOf(v1, spec("web")).build()),
        Status.Code.INVALID_ARGUMENT, "update out of sequence");
    assertFails(() -> ts.client.updateService(updateOf(v2, spec("web").toBuilder()
            .setGlobal(GlobalService.getDefaultInstance()).build()).build()),
        Status.Code.UNIMPLEMENTED, "service mode change is not allowed");
    assertFails(() -> ts.client.updateService(updateOf(v2, spec("web2")).build()),
        Status.Code.UNIMPLEMENTED, "renaming services is not supported");
    assertFails(() -> ts.client.updateService(updateOf(v2, spec("web")).setServiceId("nope").build()),
        Status.Code.NOT_FOUND, "service nope not found");
    assertFails(() -> ts.client.updateService(updateOf(v2, spec("web")).clearServiceVersion().build()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
    assertFails(() -> ts.client.updateService(updateOf(v2, container(c -> c.setImage("")).apply(
            spec("web").toBuilder()).build()).build()),
        Status.Code.INVALID_ARGUMENT, "ContainerSpec: image reference must be provided");

    assertThat(ts.snapshot()).isEqualTo(before);
  }

  @Test
  void rollbackNeedsAPreviousSpec() {
    Service fresh = create(spec("fresh"));

    assertFails(() -> ts.client.updateService(updateOf(fresh, spec("fresh"))
            .setRollback(UpdateServiceRequest.Rollback.PREVIOUS).build()),
        Status.Code.FAILED_PRECONDITION, "service " + fresh.getId() + " does not have a previous spec");
    assertThat(ts.get(Table.SERVICES, fresh.getId())).contains(fresh);
  }

  @Test
  void removeServiceDeletesIt() {
    Service service = create(spec("web"));

    ts.client.removeService(RemoveServiceRequest.newBuilder().setServiceId(service.getId()).build());

    assertThat(ts.get(Table.SERVICES, service.getId())).isEmpty();
    assertFails(() -> ts.client.removeService(RemoveServiceRequest.newBuilder().setServiceId(service.getId()).build()),
        Status.Code.NOT_FOUND, "service " + service.getId() + " not found");
  }

  @Test
  void listServicesFilters() {
    Service web = create(spec("web").toBuilder().setAnnotations(Annotations.newBuilder().setName("web")
        .putLabels("tier", "front")).build());
    Service db = create(spec("db"));
    Service worker = create(spec("webworker"));

    assertThat(list(ListServicesRequest.Filters.getDefaultInstance())).hasSize(3);
    assertThat(list(ListServicesRequest.Filters.newBuilder().addNames("web").build())).containsExactly(web.getId());
    assertThat(list(ListServicesRequest.Filters.newBuilder().addNamePrefixes("web").build()))
        .containsExactlyInAnyOrder(web.getId(), worker.getId());
    assertThat(list(ListServicesRequest.Filters.newBuilder().addIdPrefixes(db.getId().substring(0, 10)).build()))
        .containsExactly(db.getId());
    assertThat(list(ListServicesRequest.Filters.newBuilder().putLabels("tier", "front").build()))
        .containsExactly(web.getId());
    assertThat(list(ListServicesRequest.Filters.newBuilder().addRuntimes("container").build())).hasSize(3);
    assertThat(list(ListServicesRequest.Filters.newBuilder().addRuntimes("plugin").build())).isEmpty();
  }

  private List<String> list(ListServicesRequest.Filters filters) {
    return ts.client.listServices(ListServicesRequest.newBuilder().setFilters(filters).build())
        .getServicesList().stream().map(Service::getId).toList();
  }

  @Test
  void listServiceStatusesCountsDesiredAndRunningTasks() {
    Service replicated = create(spec("web"));
    Service global = create(spec("agent").toBuilder().setGlobal(GlobalService.getDefaultInstance()).build());
    ts.store.update(tx -> {
      tx.create(Table.TASKS, task("t1", replicated.getId(), TaskState.RUNNING, TaskState.RUNNING));
      tx.create(Table.TASKS, task("t2", replicated.getId(), TaskState.RUNNING, TaskState.PREPARING));
      tx.create(Table.TASKS, task("t3", global.getId(), TaskState.RUNNING, TaskState.RUNNING));
      tx.create(Table.TASKS, task("t4", global.getId(), TaskState.RUNNING, TaskState.RUNNING));
      tx.create(Table.TASKS, task("t5", global.getId(), TaskState.SHUTDOWN, TaskState.SHUTDOWN));
    });

    List<ListServiceStatusesResponse.ServiceStatus> statuses = ts.client.listServiceStatuses(
        ListServiceStatusesRequest.newBuilder().addServices(replicated.getId()).addServices(global.getId())
            .addServices("gone").build()).getStatusesList();

    assertThat(statuses).extracting(s -> s.getServiceId() + ":" + s.getDesiredTasks() + "/" + s.getRunningTasks())
        .containsExactly(replicated.getId() + ":2/1", global.getId() + ":2/2", "gone:0/0");
  }

  @Test
  void listServiceStatusesCountsOnlyTheCurrentJobIteration() {
    Service job = create(spec("batch").toBuilder().setReplicatedJob(ReplicatedJob.newBuilder()
        .setMaxConcurrent(3).setTotalCompletions(6)).build());
    Service rerun = ts.client.updateService(updateOf(job, job.getSpec()).build()).getService();
    assertThat(rerun.getJobStatus().getJobIteration().getIndex()).isEqualTo(1);
    Version current = rerun.getJobStatus().getJobIteration();
    ts.store.update(tx -> {
      tx.create(Table.TASKS, task("old", job.getId(), TaskState.COMPLETE, TaskState.COMPLETE).toBuilder()
          .setJobIteration(Version.getDefaultInstance()).build());
      tx.create(Table.TASKS, task("done", job.getId(), TaskState.COMPLETE, TaskState.COMPLETE).toBuilder()
          .setJobIteration(current).build());
      tx.create(Table.TASKS, task("busy", job.getId(), TaskState.COMPLETE, TaskState.RUNNING).toBuilder()
          .setJobIteration(current).build());
    });

    ListServiceStatusesResponse.ServiceStatus status = ts.client.listServiceStatuses(
        ListServiceStatusesRequest.newBuilder().addServices(job.getId()).build()).getStatuses(0);

    assertThat(status.getDesiredTasks()).isEqualTo(3);
    assertThat(status.getRunningTasks()).isEqualTo(1);
    assertThat(status.getCompletedTasks()).isEqualTo(1);
  }

  private static Task task(String id, String serviceId, TaskState desired, TaskState actual) {
    return Task.newBuilder().setId(id).setServiceId(serviceId).setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(actual)).setSpecVersion(Version.getDefaultInstance()).build();
  }
}
