package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.DiscreteGenericResource;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.GlobalService;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.UpdateConfig;
import dev.swarmkit.api.UpdateServiceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which ServiceSpec each service create/update flag produces, as sent to the manager. */
class ServiceFlagsTest extends AgainstFakeManager {
    /** Besides the reference swarm: a network, a secret and a config for the flags to refer to. */
    @BeforeEach
    void addReferencedObjects() {
        manager.networks.add(Network.newBuilder().setId("netid0000000000000000000a")
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("backend"))).build());
        manager.secrets.add(Secret.newBuilder().setId("secretid00000000000000001")
                .setSpec(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("db-password")))
                .build());
        manager.configs.add(Config.newBuilder().setId("configid00000000000000001")
                .setSpec(ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("nginx.conf")))
                .build());
    }

    private static ServiceSpec create(String... flags) {
        List<String> args = new ArrayList<>(List.of("service", "create", "--name", "api", "--image", "nginx:1"));
        args.addAll(List.of(flags));
        Cli.Result result = cli.run(args.toArray(String[]::new));
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo("newserviceid0000000000000\n");
        return manager.received(CreateServiceRequest.class).get(0).getSpec();
    }

    private static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }

    @Test
    void createWithOnlyNameAndImageIsOneReplicaRestartingOnAnyExit() {
        ServiceSpec spec = create();
        assertThat(spec).isEqualTo(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("api"))
                .setReplicated(dev.swarmkit.api.ReplicatedService.newBuilder().setReplicas(1))
                .setTask(dev.swarmkit.api.TaskSpec.newBuilder()
                        .setContainer(ContainerSpec.newBuilder().setImage("nginx:1"))
                        .setRestart(RestartPolicy.newBuilder().setCondition(RestartPolicy.RestartCondition.ANY)))
                .build());
    }

    static Stream<Arguments> flagTable() {
        return Stream.of(
            row(List.of("--replicas", "5"), s -> s.getReplicated().getReplicas(), 5L),
            row(List.of("--mode", "global"), ServiceSpec::getGlobal, GlobalService.getDefaultInstance()),
            row(List.of("--label", "tier=front, team = a"), s -> s.getAnnotations().getLabelsMap(),
                    java.util.Map.of("tier", "front", "team", "a")),
            row(List.of("--command", "/bin/sh,-c", "--args", "echo hi"),
                    s -> List.of(s.getTask().getContainer().getCommandList(), s.getTask().getContainer().getArgsList()),
                    List.of(List.of("/bin/sh", "-c"), List.of("echo hi"))),
            row(List.of("--env", "A=1", "--env", "B=2"), s -> s.getTask().getContainer().getEnvList(),
                    List.of("A=1", "B=2")),
            row(List.of("--hostname", "box"), s -> s.getTask().getContainer().getHostname(), "box"),
            row(List.of("--init"), s -> s.getTask().getContainer().getInit(), BoolValue.of(true)),
            row(List.of("--tty", "--open-stdin"),
                    s -> List.of(s.getTask().getContainer().getTty(), s.getTask().getContainer().getOpenStdin()),
                    List.of(true, true)),
            row(List.of("--cpu-limit", "1.5", "--memory-limit", "512m"), s -> s.getTask().getResources().getLimits(),
                    Resources.newBuilder().setNanoCpus(1_500_000_000L).setMemoryBytes(512L << 20).build()),
            row(List.of("--cpu-reservation", "0.25", "--memory-reservation", "1g"),
                    s -> s.getTask().getResources().getReservations(),
                    Resources.newBuilder().setNanoCpus(250_000_000L).setMemoryBytes(1L << 30).build()),
            row(List.of("--generic-resources", "gpu=2"), s -> s.getTask().getResources().getReservations()
                    .getGenericList(), List.of(GenericResource.newBuilder().setDiscreteResourceSpec(
                    DiscreteGenericResource.newBuilder().setKind("gpu").setValue(2)).build())),
            row(List.of("--restart-condition", "on-failure".replace("on-", ""), "--restart-delay", "10s",
                            "--restart-max-attempts", "3", "--restart-window", "1m"),
                    s -> s.getTask().getRestart(),
                    RestartPolicy.newBuilder().setCondition(RestartPolicy.RestartCondition.ON_FAILURE)
                            .setDelay(seconds(10)).setMaxAttempts(3).setWindow(seconds(60)).build()),
            row(List.of("--update-parallelism", "2", "--update-delay", "1m30s", "--update-on-failure", "rollback",
                            "--update-order", "start-first"), ServiceSpec::getUpdate,
                    UpdateConfig.newBuilder().setParallelism(2).setDelay(seconds(90))
                            .setFailureAction(UpdateConfig.FailureAction.ROLLBACK)
                            .setOrder(UpdateConfig.UpdateOrder.START_FIRST).build()),
            row(List.of("--rollback-parallelism", "1", "--rollback-on-failure", "continue"), ServiceSpec::getRollback,
                    UpdateConfig.newBuilder().setParallelism(1)
                            .setFailureAction(UpdateConfig.FailureAction.CONTINUE).build()),
            row(List.of("--constraint", "node.role==manager", "--replicas-max-per-node", "2"),
                    s -> s.getTask().getPlacement(), Placement.newBuilder().addConstraints("node.role==manager")
                            .setMaxReplicas(2).build()),
            row(List.of("--ports", "http:80:8080,dns:53/udp"), s -> s.getEndpoint().getPortsList(), List.of(
                    PortConfig.newBuilder().setName("http").setTargetPort(80).setPublishedPort(8080)
                            .setPublishMode(PortConfig.PublishMode.HOST).build(),
                    PortConfig.newBuilder().setName("dns").setProtocol(PortConfig.Protocol.UDP).setTargetPort(53)
                            .setPublishMode(PortConfig.PublishMode.HOST).build())),
            row(List.of("--ports", "http:80:8080,web:81", "--publish-mode", "ingress"),
                    s -> s.getEndpoint().getPortsList(), List.of(
                    PortConfig.newBuilder().setName("http").setTargetPort(80).setPublishedPort(8080)
                            .setPublishMode(PortConfig.PublishMode.INGRESS).build(),
                    PortConfig.newBuilder().setName("web").setTargetPort(81)
                            .setPublishMode(PortConfig.PublishMode.INGRESS).build())),
            row(List.of("--network", "backend"), s -> s.getTask().getNetworksList(),
                    List.of(NetworkAttachmentConfig.newBuilder().setTarget("netid0000000000000000000a").build())),
            row(List.of("--bind", "/srv:/data", "--volume", "/cache", "--tmpfs", "\"/run:size=64m,mode=1777,ro\""),
                    s -> s.getTask().getContainer().getMountsList(), List.of(
                    Mount.newBuilder().setType(Mount.Type.BIND).setSource("/srv").setTarget("/data").build(),
                    Mount.newBuilder().setType(Mount.Type.VOLUME).setTarget("/cache").build(),
                    Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/run").setReadonly(true)
                            .setTmpfsOptions(Mount.TmpfsOptions.newBuilder().setSizeBytes(64L << 20).setMode(01777))
                            .build())),
            row(List.of("--log-driver", "json-file", "--log-opt", "max-size=10m"), s -> s.getTask().getLogDriver(),
                    Driver.newBuilder().setName("json-file").putOptions("max-size", "10m").build()),
            row(List.of("--secret", "db-password:pw"), s -> s.getTask().getContainer().getSecretsList(),
                    List.of(SecretReference.newBuilder().setSecretId("secretid00000000000000001")
                            .setSecretName("db-password")
                            .setFile(FileTarget.newBuilder().setName("pw").setMode(0444)).build())),
            row(List.of("--config", "nginx.conf"), s -> s.getTask().getContainer().getConfigs(0).getConfigId(),
                    "configid00000000000000001"),
            row(List.of("--ulimit", "nofile=1024:2048"), s -> s.getTask().getContainer().getUlimits(0),
                    ContainerSpec.Ulimit.newBuilder().setName("nofile").setSoft(1024).setHard(2048).build()));
    }

    private static Arguments row(List<String> flags, Function<ServiceSpec, Object> field, Object expected) {
        return Arguments.of(flags, field, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flagTable")
    void eachFlagSetsItsSpecField(List<String> flags, Function<ServiceSpec, Object> field, Object expected) {
        assertThat(field.apply(create(flags.toArray(String[]::new)))).isEqualTo(expected);
    }

    @Test
    void updateChangesOnlyWhatTheFlagsSayAndSendsTheVersionItRead() {
        Cli.Result result = cli.run("service", "update", "web", "--replicas", "6", "--env", "MODE=prod");
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(ReferenceSwarm.WEB + "\n");
        UpdateServiceRequest request = manager.received(UpdateServiceRequest.class).get(0);
        assertThat(request.getServiceId()).isEqualTo(ReferenceSwarm.WEB);
        assertThat(request.getServiceVersion().getIndex()).isEqualTo(30);
        ServiceSpec.Builder expected = ReferenceSwarm.web().getSpec().toBuilder();
        expected.getReplicatedBuilder().setReplicas(6);
        expected.getTaskBuilder().getContainerBuilder().addEnv("MODE=prod");
        expected.getTaskBuilder().setRestart(RestartPolicy.newBuilder()
                .setCondition(RestartPolicy.RestartCondition.ANY));
        assertThat(request.getSpec()).isEqualTo(expected.build());
    }

    @Test
    void updateForceBumpsForceUpdate() {
        cli.run("service", "update", "web", "--force");
        assertThat(manager.received(UpdateServiceRequest.class).get(0).getSpec().getTask().getForceUpdate())
                .isEqualTo(1);
    }

    @Test
    void updateWithNothingToChangeIsRefused() {
        dev.swarmkit.api.Service web = ReferenceSwarm.web();
        ServiceSpec.Builder spec = web.getSpec().toBuilder();
        spec.getTaskBuilder().setRestart(RestartPolicy.newBuilder().setCondition(RestartPolicy.RestartCondition.ANY));
        manager.services.set(0, web.toBuilder().setSpec(spec).build());
        Cli.Result result = cli.run("service", "update", "web", "--image", "local/busybox:1");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err()).isEqualTo("Error: no changes detected\n");
        assertThat(manager.received(UpdateServiceRequest.class)).isEmpty();
    }

    @Test
    void updateAddsAndRemovesSecretsAndCapabilities() {
        cli.run("service", "update", "web", "--add-secret", "db-password", "--add-capability", "CAP_NET_ADMIN");
        ContainerSpec container = manager.received(UpdateServiceRequest.class).get(0).getSpec().getTask()
                .getContainer();
        assertThat(container.getSecretsList()).extracting(SecretReference::getSecretName)
                .containsExactly("db-password");
        assertThat(container.getCapabilityAddList()).containsExactly("CAP_NET_ADMIN");
    }

    @Test
    void createNeedsNameAndImage() {
        Cli.Result result = cli.run("service", "create", "--name", "api");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err()).isEqualTo("Error: --name and --image are mandatory\n"
                + "Run 'swarmctl service create --help' for usage.\n");
        assertThat(manager.received(CreateServiceRequest.class)).isEmpty();
    }

    @Test
    void invalidFlagValuesAreRejectedBeforeAnythingIsSent() {
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--restart-condition", "sometimes")
                .err()).startsWith("Error: invalid restart condition: sometimes\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--cpu-limit", "0.0000000001")
                .err()).startsWith("Error: CPU value cannot have more than 9 decimal places: 0.0000000001\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--mode", "global", "--replicas", "2")
                .err()).startsWith("Error: --replicas can only be specified in --mode replicated\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--update-delay", "soon")
                .err()).startsWith("Error: time: invalid duration \"soon\"\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--ports", "w:80",
                "--publish-mode", "mesh").err()).startsWith("Error: invalid publish mode mesh: must be host or ingress\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--publish-mode", "ingress")
                .err()).startsWith("Error: --publish-mode needs --ports\n");
        assertThat(cli.run("service", "create", "--name", "a", "--image", "i", "--secret", "nope")
                .err()).isEqualTo("Error: secret not found: nope\n");
        assertThat(manager.received(CreateServiceRequest.class)).isEmpty();
    }
}
