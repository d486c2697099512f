package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.LogContext;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.SubscribeLogsRequest;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.UpdateNodeRequest;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other commands: what they send, what they print, and how failures reach the user. */
class CommandsTest extends AgainstFakeManager {
    private static Cli.Result ok(String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        return result;
    }

    private static Cli.Result fails(String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        return result;
    }

    // --- errors and lookups

    @Test
    void serverErrorsExitNonZeroWithTheServersMessage() {
        manager.failures.put("RemoveService",
                Status.FAILED_PRECONDITION.withDescription("service web is still being removed"));
        Cli.Result result = fails("service", "rm", "web");
        assertThat(result.err()).isEqualTo("Error: service web is still being removed\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aUniqueIdPrefixFindsTheObject() {
        ok("service", "rm", "mt8p");
        assertThat(manager.received(RemoveServiceRequest.class).get(0).getServiceId()).isEqualTo(ReferenceSwarm.WEB);
    }

    @Test
    void anAmbiguousPrefixIsAnErrorNamingTheMatchCount() {
        // NODE_2 and NODE_3 both start with neither; give two nodes a shared prefix.
        manager.nodes.add(ReferenceSwarm.node("qjfzzzzzzzzzzzzzzzzzzzzzz", "node-4", false));
        Cli.Result result = fails("node", "drain", "qjf");
        assertThat(result.err()).isEqualTo("Error: node qjf is ambiguous (2 matches found)\n");
        assertThat(manager.received(UpdateNodeRequest.class)).isEmpty();
    }

    @Test
    void anExactIdOrNameWinsOverPrefixes() {
        ok("node", "drain", "node-3");
        assertThat(manager.received(UpdateNodeRequest.class).get(0).getNodeId()).isEqualTo(ReferenceSwarm.NODE_3);
    }

    @Test
    void unknownObjectsAreNotFound() {
        assertThat(fails("service", "inspect", "nope").err()).isEqualTo("Error: service nope not found\n");
    }

    @Test
    void wrongArgumentCountsPrintUpstreamsMessageAndAHintToTheHelp() {
        Cli.Result result = fails("node", "inspect");
        assertThat(result.err()).isEqualTo("Error: node ID missing\nRun 'swarmctl node inspect --help' for usage.\n");
        assertThat(fails("node", "ls", "extra").err()).startsWith("Error: ls command takes no arguments\n");
    }

    @Test
    void anUnreachableSocketIsReported() {
        Path missing = Path.of("target/no-such.sock").toAbsolutePath();
        Cli.Result result = new Cli(missing).run("node", "ls");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err()).isEqualTo("Error: cannot connect to the manager at " + missing + ": no such socket; "
                + "is swarmd running as a manager with --listen-control-api " + missing
                + "? (choose the socket with -s or SWARM_SOCKET)\n");
    }

    @Test
    void theConnectionIsTls() {
        // The fake manager only speaks TLS: a plaintext client cannot get an answer from it.
        Cli.Result plaintext = cli.run("--plaintext", "cluster", "ls", "-q");
        assertThat(plaintext.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(plaintext.out()).isEmpty();
        assertThat(ok("cluster", "ls", "-q").out()).isEqualTo(ReferenceSwarm.CLUSTER + "\n");
    }

    @Test
    void theSocketFlagOverridesSwarmSocket() {
        Cli.Result result = new Cli(Path.of("target/no-such.sock").toAbsolutePath())
                .run("-s", manager.socket.toString(), "cluster", "ls", "-q");
        assertThat(result.out()).isEqualTo(ReferenceSwarm.CLUSTER + "\n");
        Cli.Result afterSubcommand = new Cli(Path.of("target/no-such.sock").toAbsolutePath())
                .run("cluster", "ls", "-q", "--socket", manager.socket.toString());
        assertThat(afterSubcommand.out()).isEqualTo(ReferenceSwarm.CLUSTER + "\n");
    }

    // --- nodes

    @Test
    void availabilityAndRoleChangesSendTheNewSpecWithTheReadVersion() {
        ok("node", "pause", "node-2");
        ok("node", "promote", "node-3");
        UpdateNodeRequest pause = manager.received(UpdateNodeRequest.class).get(0);
        assertThat(pause.getNodeId()).isEqualTo(ReferenceSwarm.NODE_2);
        assertThat(pause.getNodeVersion().getIndex()).isEqualTo(20);
        assertThat(pause.getSpec().getAvailability()).isEqualTo(NodeSpec.Availability.PAUSE);
        assertThat(manager.received(UpdateNodeRequest.class).get(1).getSpec().getDesiredRole())
                .isEqualTo(NodeRole.MANAGER);
    }

    @Test
    void aChangeToTheCurrentValueIsRefused() {
        assertThat(fails("node", "activate", "node-2").err()).isEqualTo("Error: Node node-2 is already active\n");
        assertThat(fails("node", "demote", "node-2").err()).isEqualTo("Error: Node node-2 is already a worker\n");
        assertThat(manager.received(UpdateNodeRequest.class)).isEmpty();
    }

    @Test
    void nodeLabelsCanBeAddedAndRemoved() {
        ok("node", "update", "node-2", "--label-add", "zone=a", "--label-add", "ssd=true");
        assertThat(manager.received(UpdateNodeRequest.class).get(0).getSpec().getAnnotations().getLabelsMap())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("zone", "a", "ssd", "true"));
        manager.nodes.set(1, manager.nodes.get(1).toBuilder().setSpec(
                manager.received(UpdateNodeRequest.class).get(0).getSpec()).build());
        ok("node", "update", "node-2", "--label-rm", "zone");
        assertThat(manager.received(UpdateNodeRequest.class).get(1).getSpec().getAnnotations().getLabelsMap())
                .containsExactlyEntriesOf(java.util.Map.of("ssd", "true"));
        assertThat(fails("node", "update", "node-2").err()).isEqualTo("Error: No change for node node-2\n");
    }

    @Test
    void nodeRmPassesForce() {
        ok("node", "rm", "--force", "node-3");
        RemoveNodeRequest request = manager.received(RemoveNodeRequest.class).get(0);
        assertThat(request.getNodeId()).isEqualTo(ReferenceSwarm.NODE_3);
        assertThat(request.getForce()).isTrue();
    }

    // --- cluster

    @Test
    void clusterUpdateSetsSettingsAndRotatesTokens() {
        Cli.Result result = ok("cluster", "update", "default", "--task-history", "10", "--heartbeat-period", "10s",
                "--certexpiry", "720h", "--rotate-join-token", "worker", "--autolock");
        assertThat(result.out()).isEqualTo(ReferenceSwarm.CLUSTER + "\n");
        UpdateClusterRequest request = manager.received(UpdateClusterRequest.class).get(0);
        assertThat(request.getClusterVersion().getIndex()).isEqualTo(11);
        assertThat(request.getSpec().getOrchestration().getTaskHistoryRetentionLimit()).isEqualTo(10);
        assertThat(request.getSpec().getDispatcher().getHeartbeatPeriod().getSeconds()).isEqualTo(10);
        assertThat(request.getSpec().getCaConfig().getNodeCertExpiry().getSeconds()).isEqualTo(720L * 3600);
        assertThat(request.getSpec().getEncryptionConfig().getAutoLockManagers()).isTrue();
        assertThat(request.getRotation().getWorkerJoinToken()).isTrue();
        assertThat(request.getRotation().getManagerJoinToken()).isFalse();
    }

    @Test
    void autolockTakesAnOptionalBooleanValue() {
        ok("cluster", "update", "--autolock", "default");
        ok("cluster", "update", "default", "--autolock=false");
        assertThat(manager.received(UpdateClusterRequest.class))
                .extracting(r -> r.getSpec().getEncryptionConfig().getAutoLockManagers())
                .containsExactly(true, false);
    }

    @Test
    void rotatingTheUnlockKeyPrintsTheNewKey() {
        manager.unlockKey = ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5});
        Cli.Result result = ok("cluster", "update", "default", "--rotate-unlock-key");
        assertThat(result.out()).isEqualTo(ReferenceSwarm.CLUSTER + "\nManagers auto-locked.  Unlock key: SWMKEY-1-AQIDBAU\n");
        assertThat(manager.received(UpdateClusterRequest.class).get(0).getRotation().getManagerUnlockKey()).isTrue();
    }

    @Test
    void unlockKeyWhenNotLocked() {
        assertThat(ok("cluster", "unlock-key", "default").out()).isEqualTo("Managers not auto-locked\n");
    }

    @Test
    void rotateJoinTokenNeedsWorkerOrManager() {
        assertThat(fails("cluster", "update", "default", "--rotate-join-token", "everyone").err())
                .startsWith("Error: --rotate-join-token flag must be followed by 'worker' or 'manager'\n");
    }

    // --- tasks

    @Test
    void taskInspectShowsTheTaskAndItsSlotHistory() {
        String out = ok("task", "inspect", "vizab").out();
        assertThat(out).startsWith("""
                ID                     : vizabgs9i4du1z8rl4czu0235
                Slot                   : 2
                Service                : web
                Status                \s
                  Desired State        : RUNNING
                  Last State           : RUNNING
                  Timestamp            : 2026-11-25T11:59:45Z
                Node                   : node-2
                Spec                  \s
                  Image                : local/busybox:1
                  Command              : "/bin/sleep"
                  Args                 : [1000000]
                
                ===> Task Parents
                Task ID                      Service    Slot    Image""");
    }

    @Test
    void taskInspectShowsTheAllocatedAddressesAndPublishedPorts() {
        dev.swarmkit.api.Network backend = dev.swarmkit.api.Network.newBuilder().setId("netid")
                .setSpec(NetworkSpec.newBuilder().setAnnotations(dev.swarmkit.api.Annotations.newBuilder().setName("backend")))
                .build();
        manager.tasks.add(ReferenceSwarm.task("nettask000000000000000000", 4, ReferenceSwarm.NODE_1).toBuilder()
                .addNetworks(dev.swarmkit.api.NetworkAttachment.newBuilder().setNetwork(backend).addAddresses("10.0.1.7/24"))
                .setEndpoint(dev.swarmkit.api.Endpoint.newBuilder().addPorts(dev.swarmkit.api.PortConfig.newBuilder()
                        .setTargetPort(80).setPublishedPort(30001)
                        .setPublishMode(dev.swarmkit.api.PortConfig.PublishMode.INGRESS)))
                .build());
        assertThat(ok("task", "inspect", "nettask000000000000000000").out()).contains("""
                Networks              \s
                  backend              : 10.0.1.7/24
                Published Ports        : 30001->80/tcp (ingress)
                """);
    }

    @Test
    void taskRmRemovesByIdAndEchoesTheArgument() {
        assertThat(ok("task", "rm", ReferenceSwarm.TASK_3).out()).isEqualTo(ReferenceSwarm.TASK_3 + "\n");
        assertThat(manager.received(RemoveTaskRequest.class).get(0).getTaskId()).isEqualTo(ReferenceSwarm.TASK_3);
    }

    @Test
    void taskLsHidesTasksNoLongerMeantToRunUnlessAll() {
        manager.tasks.add(ReferenceSwarm.task("oldtask000000000000000000", 1, ReferenceSwarm.NODE_1).toBuilder()
                .setDesiredState(dev.swarmkit.api.TaskState.SHUTDOWN).build());
        assertThat(ok("task", "ls", "-q").out()).doesNotContain("oldtask");
        assertThat(ok("task", "ls", "-a", "-q").out()).contains("oldtask000000000000000000");
    }

    // --- networks, secrets, configs

    @Test
    void networkCreateBuildsDriverAndIpamConfig() {
        ok("network", "create", "--name", "backend", "--driver", "overlay", "--opts", "encrypted=true",
                "--subnet", "10.0.9.0/24", "--gateway", "10.0.9.1");
        NetworkSpec spec = manager.received(CreateNetworkRequest.class).get(0).getSpec();
        assertThat(spec.getAnnotations().getName()).isEqualTo("backend");
        assertThat(spec.getDriverConfig()).isEqualTo(Driver.newBuilder().setName("overlay")
                .putOptions("encrypted", "true").build());
        assertThat(spec.getIpam().getConfigsList()).containsExactly(IPAMConfig.newBuilder()
                .setFamily(IPAMConfig.AddressFamily.IPV4).setSubnet("10.0.9.0/24").setGateway("10.0.9.1").build());
    }

    @Test
    void networksNotYetAllocatedStillListAndInspect() {
        manager.networks.add(Network.newBuilder().setId("netid0000000000000000000a")
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("backend"))
                        .setDriverConfig(Driver.newBuilder().setName("overlay"))).build());
        assertThat(ok("network", "ls").out()).isEqualTo("""
                ID                         Name     Driver
                --                         ----     ------
                netid0000000000000000000a  backend  overlay
                """);
        assertThat(ok("network", "inspect", "backend").out()).isEqualTo("""
                ID                   : netid0000000000000000000a
                Name                 : backend
                Spec:               \s
                  IPv6Enabled        : false
                  Internal           : false
                """);
    }

    @Test
    void secretCreateReadsStandardInputOrAFile(@TempDir Path dir) throws Exception {
        assertThat(cli.withStdin("s3cret").run("secret", "create", "pw").out()).isEqualTo("newsecretid00000000000000\n");
        Path file = dir.resolve("value");
        Files.writeString(file, "from-file");
        ok("secret", "create", "pw2", "--file", file.toString());
        assertThat(manager.received(CreateSecretRequest.class)).extracting(r -> r.getSpec().getData().toStringUtf8())
                .containsExactly("s3cret", "from-file");
        cli.withStdin("");
    }

    @Test
    void templateDriverMarksASecretOrConfigAsATemplate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("value");
        Files.writeString(file, "{{.Service.Name}}");
        ok("config", "create", "app.conf", "--file", file.toString(), "--template-driver", "golang");
        ok("secret", "create", "pw", "--file", file.toString(), "--template-driver", "golang");
        ok("config", "create", "plain.conf", "--file", file.toString());
        assertThat(manager.received(CreateConfigRequest.class)).extracting(r -> r.getSpec().getTemplating().getName())
                .containsExactly("golang", "");
        assertThat(manager.received(CreateSecretRequest.class).get(0).getSpec().getTemplating().getName())
                .isEqualTo("golang");
    }

    @Test
    void configCreateAndInspectShowThePayload() {
        ok("config", "create", "app.conf", "--file", "pom.xml");
        assertThat(manager.received(CreateConfigRequest.class).get(0).getSpec().getData().toStringUtf8())
                .contains("<artifactId>swarmctl</artifactId>");
        manager.configs.add(dev.swarmkit.api.Config.newBuilder().setId("configid00000000000000001")
                .setMeta(ReferenceSwarm.meta(5, 120))
                .setSpec(ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("app.conf"))
                        .setData(ByteString.copyFromUtf8("listen 80;"))).build());
        assertThat(ok("config", "inspect", "app.conf").out()).isEqualTo("""
                ID             : configid00000000000000001
                Name           : app.conf
                Created        : 2026-11-25T11:58:00Z
                Payload:
                
                listen 80;
                """);
        assertThat(ok("config", "ls").out()).isEqualTo("""
                ID                           Name        Created
                --                           ----        -------
                configid00000000000000001    app.conf    2 minutes ago
                """);
    }

    // --- logs, json, version, completion

    @Test
    void serviceLogsPrefixLinesWithTaskAndNodeAndSplitStreams() {
        manager.logs.add(LogMessage.newBuilder()
                .setContext(LogContext.newBuilder().setServiceId(ReferenceSwarm.WEB).setTaskId(ReferenceSwarm.TASK_1)
                        .setNodeId(ReferenceSwarm.NODE_1))
                .setStream(LogStream.LOG_STREAM_STDOUT).setData(ByteString.copyFromUtf8("hello\n")).build());
        manager.logs.add(LogMessage.newBuilder()
                .setContext(LogContext.newBuilder().setServiceId(ReferenceSwarm.WEB).setTaskId(ReferenceSwarm.TASK_2)
                        .setNodeId(ReferenceSwarm.NODE_2))
                .setStream(LogStream.LOG_STREAM_STDERR).setData(ByteString.copyFromUtf8("oops\n")).build());
        Cli.Result result = cli.run("service", "logs", "--follow", "web");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("web.1@node-1❯ hello\n");
        assertThat(result.err()).isEqualTo("web.2@node-2❯ oops\n");
        SubscribeLogsRequest request = manager.received(SubscribeLogsRequest.class).get(0);
        assertThat(request.getSelector().getServiceIdsList()).containsExactly(ReferenceSwarm.WEB);
        assertThat(request.getOptions().getFollow()).isTrue();
    }

    @Test
    void jsonFormatPrintsApiObjects() {
        String list = ok("node", "ls", "--format", "json").out();
        assertThat(list).startsWith("[\n  {\n    \"id\": \"" + ReferenceSwarm.NODE_1 + "\"");
        assertThat(list).contains("\"hostname\": \"node-3\"").endsWith("}\n]\n");
        String one = ok("service", "inspect", "web", "--format", "json").out();
        assertThat(one).startsWith("{\n  \"id\": \"" + ReferenceSwarm.WEB + "\"").contains("\"replicas\": \"3\"");
    }

    @Test
    void aCommandGroupOnItsOwnShowsItsSubcommands() {
        Cli.Result result = new Cli(Path.of("target/no-such.sock").toAbsolutePath()).run("node");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: swarmctl node").contains("promote", "drain", "inspect");
    }

    @Test
    void everyCommandHasHelp() {
        Cli.Result result = new Cli(Path.of("target/no-such.sock").toAbsolutePath())
                .run("service", "create", "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: swarmctl service create [OPTIONS]\nCreate a service")
                .contains("--restart-condition=<any|failure|none>", "--socket=<path>");
    }

    @Test
    void versionAndCompletionWorkWithoutAManager() {
        Cli offline = new Cli(Path.of("target/no-such.sock").toAbsolutePath());
        Cli.Result version = offline.run("version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("swarmctl dev.swarmkit ");
        Cli.Result completion = offline.run("completion");
        assertThat(completion.exitCode()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("service").contains("unlock-key");
        assertThat(new String(completion.out().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .contains("--rotate-join-token");
    }
}
