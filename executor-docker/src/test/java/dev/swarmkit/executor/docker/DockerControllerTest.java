package dev.swarmkit.executor.docker;

import static dev.swarmkit.executor.docker.TestTasks.shell;
import static dev.swarmkit.executor.docker.TestTasks.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Ulimit;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.Controller.ContainerState;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.HealthConfig;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker controller against a real engine (scripts/setup-docker.sh brings one up). */
@RequiresDocker
class DockerControllerTest {

  private static final java.time.Duration READY = java.time.Duration.ofSeconds(20);

  private final String nodeId = TestTasks.newId();
  private DockerExecutor executor;
  private DockerClient docker;

  @BeforeEach
  void setUp() {
    executor = new DockerExecutor(DockerExecutorConfig.defaults());
    docker = executor.client();
  }

  @AfterEach
  void removeThisTestsContainers() throws Exception {
    new OrphanReaper(docker, nodeId).reap(taskId -> false);
    executor.close();
  }

  private DockerController run(Task task) throws Exception {
    DockerController c = executor.controller(task);
    c.prepare();
    c.start();
    return c;
  }

  private InspectContainerResponse inspect(Controller c) {
    return docker.inspectContainerCmd(((DockerController) c).containerName()).exec();
  }

  private List<Container> containersOf(Task task) {
    return docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(TaskContainers.LABEL_TASK_ID, task.getId())).exec();
  }

  @Test
  void sleepTaskReachesRunningAndIsListedWithSwarmLabels() throws Exception {
    Task task = task(nodeId, "web", 3, shell("sleep 30"));
    DockerController c = run(task);
    c.waitReady(READY);

    assertThat(c.inspect()).isEqualTo(ContainerState.RUNNING);
    List<Container> listed = docker.listContainersCmd()
        .withLabelFilter(Map.of(TaskContainers.LABEL_NODE_ID, nodeId)).exec();
    assertThat(listed).hasSize(1);
    Container container = listed.get(0);
    assertThat(container.getState()).isEqualTo("running");
    assertThat(container.getNames()).containsExactly("/web.3." + task.getId());
    assertThat(container.getLabels())
        .containsEntry("com.docker.swarm.task", "")
        .containsEntry("com.docker.swarm.task.id", task.getId())
        .containsEntry("com.docker.swarm.task.name", "web.3." + task.getId())
        .containsEntry("com.docker.swarm.node.id", nodeId)
        .containsEntry("com.docker.swarm.service.id", task.getServiceId())
        .containsEntry("com.docker.swarm.service.name", "web");
    assertThat(c.containerStatus().getContainerId()).isEqualTo(container.getId());
    assertThat(c.containerStatus().getPid()).isPositive();
  }

  @Test
  void exitZeroCompletesTheTask() throws Exception {
    DockerController c = run(task(nodeId, "ok", 1, shell("exit 0")));
    c.waitExit();
    assertThat(c.inspect()).isEqualTo(ContainerState.EXITED);
  }

  @Test
  void nonZeroExitIsAnExitErrorWithTheCode() throws Exception {
    DockerController c = run(task(nodeId, "fail", 1, shell("exit 3")));
    assertThatThrownBy(c::waitExit)
        .isInstanceOfSatisfying(ExecutorException.ExitError.class, e -> assertThat(e.exitCode()).isEqualTo(3))
        .hasMessage("task: non-zero exit (3)");
  }

  @Test
  void runningContainersExitsAreNoticedWithoutAThreadPerContainer() throws Exception {
    List<DockerController> running = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      running.add(run(task(nodeId, "exits", i + 1, shell("sleep 1; exit " + i))));
    }
    long waitersBefore = threadsNamed("task-exit-wait");

    List<java.util.concurrent.CompletableFuture<Void>> exits = new ArrayList<>();
    for (DockerController c : running) {
      exits.add(c.exitFuture());
    }

    assertThat(threadsNamed("task-exit-wait")).as("no waiting thread per running container")
        .isEqualTo(waitersBefore);
    assertThat(threadsNamed("docker-exit-checks")).isLessThanOrEqualTo(2);
    exits.get(0).get(30, java.util.concurrent.TimeUnit.SECONDS);
    for (int i = 1; i < exits.size(); i++) {
      int code = i;
      assertThatThrownBy(() -> exits.get(code).get(30, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(ExecutorException.ExitError.class)
          .hasMessageContaining("task: non-zero exit (" + code + ")");
    }
  }

  @Test
  void anExitWaitSeesAShutdownAndAnUnhealthyContainerIsStoppedAndReported() throws Exception {
    ContainerSpec.Builder graceful = exitsSevenOnTerm();
    DockerController stopped = run(task(nodeId, "wait-graceful", 1, graceful));
    awaitLog(stopped, "up");
    java.util.concurrent.CompletableFuture<Void> stoppedExit = stopped.exitFuture();
    ContainerSpec.Builder unhealthy = unhealthySleeper();
    DockerController sick = run(task(nodeId, "wait-unhealthy", 1, unhealthy));
    java.util.concurrent.CompletableFuture<Void> sickExit = sick.exitFuture();

    stopped.shutdown();

    assertThatThrownBy(() -> stoppedExit.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .hasMessageContaining("task: non-zero exit (7)");
    assertThatThrownBy(() -> sickExit.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .hasMessageContaining("dockerexec: unhealthy container");
    assertThat(sick.inspect()).isEqualTo(ContainerState.EXITED);
  }

  /** Prints "up", then runs until SIGTERM, on which it exits 7 (a kill would show 137). */
  private static ContainerSpec.Builder exitsSevenOnTerm() {
    return shell("trap 'exit 7' TERM; echo up; while true; do sleep 0.1; done")
        .setStopGracePeriod(Duration.newBuilder().setSeconds(5));
  }

  /** Sleeps with a health check that always fails. */
  private static ContainerSpec.Builder unhealthySleeper() {
    return shell("sleep 30")
        .setHealthcheck(HealthConfig.newBuilder().addTest("CMD").addTest("false")
            .setInterval(Duration.newBuilder().setNanos(100_000_000)).setRetries(1));
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  @Test
  void shutdownSendsTheStopSignalAndWaitsForTheGracefulExit() throws Exception {
    // The task exits 7 on SIGTERM: a graceful stop shows 7, a kill would show 137.
    ContainerSpec.Builder spec = exitsSevenOnTerm();
    DockerController c = run(task(nodeId, "graceful", 1, spec));
    awaitLog(c, "up");

    c.shutdown();

    assertThat(inspect(c).getState().getStatus()).isEqualTo("exited");
    assertThat(inspect(c).getState().getExitCodeLong()).isEqualTo(7L);
    assertThatThrownBy(c::waitExit).hasMessage("task: non-zero exit (7)");
  }

  @Test
  void shutdownKillsATaskThatIgnoresTheStopSignalAfterTheGracePeriod() throws Exception {
    ContainerSpec.Builder spec = shell("trap '' TERM; echo up; while true; do sleep 0.1; done")
        .setStopGracePeriod(Duration.newBuilder().setSeconds(1));
    DockerController c = run(task(nodeId, "stubborn", 1, spec));
    awaitLog(c, "up");

    c.shutdown();

    assertThat(inspect(c).getState().getExitCodeLong()).isEqualTo(137L);
  }

  @Test
  void customStopSignalIsUsedOnShutdown() throws Exception {
    ContainerSpec.Builder spec = shell("trap 'exit 5' USR1; echo up; while true; do sleep 0.1; done")
        .setStopSignal("SIGUSR1")
        .setStopGracePeriod(Duration.newBuilder().setSeconds(5));
    DockerController c = run(task(nodeId, "usr1", 1, spec));
    awaitLog(c, "up");

    c.shutdown();

    assertThat(inspect(c).getState().getExitCodeLong()).isEqualTo(5L);
  }

  @Test
  void terminateKillsAtOnceAndRemoveDeletesTheContainer() throws Exception {
    Task task = task(nodeId, "kill", 1, shell("trap '' TERM; while true; do sleep 0.1; done"));
    DockerController c = run(task);
    c.waitReady(READY);

    c.terminate();
    assertThatThrownBy(c::waitExit).hasMessage("task: non-zero exit (137)");

    c.remove();
    assertThat(c.inspect()).isEqualTo(ContainerState.ABSENT);
    assertThat(containersOf(task)).isEmpty();
    c.remove(); // idempotent
  }

  @Test
  void specIsVisibleInDockerInspect(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("greeting"), "hello from the host");
    // The task runs as nobody: it must be able to enter the directory and read the file.
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    ContainerSpec.Builder spec = shell("cat /data/greeting; echo; sleep 30")
        .addEnv("COLOR=blue")
        .setDir("/tmp")
        .setUser("nobody")
        .addGroups("1234")
        .setHostname("box")
        .putLabels("tier", "front")
        .addHosts("10.1.2.3 db.internal db")
        .setDnsConfig(ContainerSpec.DNSConfig.newBuilder().addNameservers("10.0.0.53").addSearch("corp.example")
            .addOptions("ndots:2"))
        .setReadOnly(true)
        .setInit(BoolValue.of(true))
        .setStopSignal("SIGINT")
        .setPidsLimit(64)
        .addCapabilityAdd("CAP_NET_ADMIN")
        .addCapabilityDrop("CAP_MKNOD")
        .putSysctls("net.ipv4.ip_unprivileged_port_start", "1024")
        .addUlimits(ContainerSpec.Ulimit.newBuilder().setName("nofile").setSoft(1024).setHard(2048))
        .addMounts(Mount.newBuilder().setType(Mount.Type.BIND).setSource(dir.toString()).setTarget("/data")
            .setReadonly(true))
        .addMounts(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/scratch")
            .setTmpfsOptions(Mount.TmpfsOptions.newBuilder().setSizeBytes(8L << 20).setMode(01777)))
        .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("swarmkit-test-" + nodeId).setTarget("/vol"))
        .setHealthcheck(HealthConfig.newBuilder().addTest("CMD").addTest("true")
            .setInterval(Duration.newBuilder().setSeconds(2)).setRetries(3));
    Task plain = task(nodeId, "inspected", 2, spec);
    Task task = plain.toBuilder()
        .setSpec(plain.getSpec().toBuilder()
            .setResources(ResourceRequirements.newBuilder()
                .setLimits(Resources.newBuilder().setNanoCpus(500_000_000L).setMemoryBytes(64L << 20))
                .setReservations(Resources.newBuilder().setMemoryBytes(32L << 20))))
        // No published port: the engine picks a free one, which the port status reports.
        .setEndpoint(Endpoint.newBuilder().addPorts(PortConfig.newBuilder().setTargetPort(80)
            .setPublishMode(PortConfig.PublishMode.HOST)))
        .build();
    DockerController c = run(task);
    try {
      awaitLog(c, "hello from the host");
      InspectContainerResponse i = inspect(c);

      assertThat(i.getConfig().getEnv()).contains("COLOR=blue");
      assertThat(i.getConfig().getWorkingDir()).isEqualTo("/tmp");
      assertThat(i.getConfig().getUser()).isEqualTo("nobody");
      assertThat(i.getConfig().getHostName()).isEqualTo("box");
      assertThat(i.getConfig().getLabels()).containsEntry("tier", "front");
      assertThat(i.getConfig().getEntrypoint()).containsExactly("sh");
      assertThat(i.getConfig().getCmd()).containsExactly("-c", "cat /data/greeting; echo; sleep 30");
      assertThat(i.getConfig().getHealthcheck().getTest()).containsExactly("CMD", "true");
      assertThat(i.getConfig().getHealthcheck().getInterval()).isEqualTo(2_000_000_000L);
      assertThat(i.getConfig().getHealthcheck().getRetries()).isEqualTo(3);

      var host = i.getHostConfig();
      assertThat(host.getMemory()).isEqualTo(64L << 20);
      assertThat(host.getMemoryReservation()).isEqualTo(32L << 20);
      assertThat(host.getCpuPeriod()).isEqualTo(100_000L);
      assertThat(host.getCpuQuota()).isEqualTo(50_000L);
      assertThat(host.getPidsLimit()).isEqualTo(64L);
      assertThat(host.getReadonlyRootfs()).isTrue();
      assertThat(host.getInit()).isTrue();
      assertThat(host.getGroupAdd()).containsExactly("1234");
      assertThat(host.getExtraHosts()).containsExactly("db.internal:10.1.2.3", "db:10.1.2.3");
      assertThat(host.getDns()).containsExactly("10.0.0.53");
      assertThat(host.getDnsSearch()).containsExactly("corp.example");
      assertThat(host.getDnsOptions()).containsExactly("ndots:2");
      assertThat(List.of(host.getCapAdd())).extracting(Enum::name).containsExactly("NET_ADMIN");
      assertThat(List.of(host.getCapDrop())).extracting(Enum::name).containsExactly("MKNOD");
      assertThat(host.getSysctls()).containsEntry("net.ipv4.ip_unprivileged_port_start", "1024");
      assertThat(host.getUlimits()).containsExactly(new Ulimit("nofile", 1024L, 2048L));
      assertThat(host.getTmpFs()).containsEntry("/scratch", "mode=1777,size=8m");
      assertThat(host.getPortBindings().getBindings()).hasSize(1);
      assertThat(c.portStatus().getPortsList()).singleElement().satisfies(p -> {
        assertThat(p.getTargetPort()).isEqualTo(80);
        assertThat(p.getProtocol()).isEqualTo(PortConfig.Protocol.TCP);
        assertThat(p.getPublishMode()).isEqualTo(PortConfig.PublishMode.HOST);
        assertThat(p.getPublishedPort()).isPositive();
      });
      assertThat(i.getMounts()).extracting(m -> m.getDestination().getPath())
          .contains("/data", "/vol");
      assertThat(i.getMounts()).filteredOn(m -> m.getDestination().getPath().equals("/data"))
          .singleElement().satisfies(m -> {
            assertThat(m.getSource()).isEqualTo(dir.toString());
            assertThat(m.getRW()).isFalse();
          });
      assertThat(i.getMounts()).filteredOn(m -> m.getDestination().getPath().equals("/vol"))
          .singleElement().satisfies(m -> assertThat(m.getName()).isEqualTo("swarmkit-test-" + nodeId));
    } finally {
      c.remove();
      docker.removeVolumeCmd("swarmkit-test-" + nodeId).exec();
    }
  }

  @Test
  void networkAttachmentsAreCreatedJoinedWithTheAllocatedAddressAndRemovedWithTheTask() throws Exception {
    String networkName = "swarmkit-test-" + nodeId.substring(0, 12);
    dev.swarmkit.api.Network network = dev.swarmkit.api.Network.newBuilder().setId(TestTasks.newId())
        .setSpec(dev.swarmkit.api.NetworkSpec.newBuilder()
            .setAnnotations(dev.swarmkit.api.Annotations.newBuilder().setName(networkName)))
        .setDriverState(dev.swarmkit.api.Driver.newBuilder().setName("bridge"))
        .setIpam(dev.swarmkit.api.IPAMOptions.newBuilder()
            .addConfigs(dev.swarmkit.api.IPAMConfig.newBuilder().setSubnet("10.231.7.0/24").setGateway("10.231.7.1")))
        .build();
    Task task = task(nodeId, "net", 1, shell("sleep 30")).toBuilder()
        .addNetworks(dev.swarmkit.api.NetworkAttachment.newBuilder().setNetwork(network)
            .addAddresses("10.231.7.42/24").addAliases("netsvc"))
        .build();
    DockerController c = run(task);
    try {
      c.waitReady(READY);
      var endpoint = inspect(c).getNetworkSettings().getNetworks().get(networkName);
      assertThat(endpoint).isNotNull();
      assertThat(endpoint.getIpAddress()).isEqualTo("10.231.7.42");
      assertThat(endpoint.getAliases()).contains("netsvc");
    } finally {
      c.remove();
    }
    assertThat(docker.listNetworksCmd().withNameFilter(networkName).exec())
        .noneMatch(n -> n.getName().equals(networkName));
  }

  @Test
  void imageThatCannotBePulledRejectsTheTaskWithTheEnginesReason() throws Exception {
    ContainerSpec.Builder spec = shell("true").setImage("local/no-such-image-" + nodeId + ":1");
    DockerController c = executor.controller(task(nodeId, "missing", 1, spec));

    assertThatThrownBy(c::prepare)
        .isInstanceOf(ExecutorException.Rejected.class)
        .hasMessageStartingWith("pulling image local/no-such-image-" + nodeId + ":1 failed: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Status 4").doesNotContain("{\"message\""));
  }

  @Test
  void aNewExecutorAdoptsTheRunningContainerInsteadOfCreatingAnother() throws Exception {
    Task task = task(nodeId, "adopted", 1, shell("sleep 30"));
    run(task).waitReady(READY);
    String containerId = containersOf(task).get(0).getId();

    try (DockerExecutor restarted = new DockerExecutor(DockerExecutorConfig.defaults())) {
      DockerController adopted = restarted.controller(task);
      assertThat(adopted.inspect()).isEqualTo(ContainerState.RUNNING);
      assertThatThrownBy(adopted::prepare).isInstanceOf(ExecutorException.AlreadyDone.class);
      assertThatThrownBy(adopted::start).isInstanceOf(ExecutorException.AlreadyDone.class);
      adopted.waitReady(READY);
      assertThat(adopted.containerStatus().getContainerId()).isEqualTo(containerId);
    }
    assertThat(containersOf(task)).extracting(Container::getId).containsExactly(containerId);
  }

  @Test
  void logsStreamTheTasksLinesWithTheirStream() throws Exception {
    DockerController c = run(task(nodeId, "logger", 1,
        shell("echo one; echo two >&2; sleep 0.3; echo three; sleep 30")));
    awaitLog(c, "three");

    List<String> lines = new ArrayList<>();
    c.logs(new Controller.LogOptions(false, -1, 0, true, true), (stderr, ts, data) -> {
      assertThat(ts).isPositive();
      lines.add((stderr ? "err:" : "out:") + new String(data, StandardCharsets.UTF_8).strip());
      return true;
    });
    // The engine keeps each stream's order, not the order across stdout and stderr.
    assertThat(lines).containsExactlyInAnyOrder("out:one", "err:two", "out:three");
    assertThat(lines).filteredOn(l -> l.startsWith("out:")).containsExactly("out:one", "out:three");

    List<String> tail = new ArrayList<>();
    c.logs(new Controller.LogOptions(false, 1, 0, true, false),
        (stderr, ts, data) -> tail.add(new String(data, StandardCharsets.UTF_8).strip()));
    assertThat(tail).containsExactly("three");
  }

  @Test
  void taskLogPublisherTurnsContainerOutputIntoLogMessagesOfTheTask() throws Exception {
    Task task = task(nodeId, "published", 1, shell("echo alpha; echo beta; echo gamma; sleep 30"));
    DockerController c = run(task);
    awaitLog(c, "gamma");

    List<dev.swarmkit.api.LogMessage> messages = new ArrayList<>();
    new TaskLogPublisher(c, task).publish(
        dev.swarmkit.api.LogSubscriptionOptions.newBuilder().setTail(-3).build(), messages::add);

    assertThat(messages).extracting(m -> m.getData().toStringUtf8().strip()).containsExactly("beta", "gamma");
    assertThat(messages).allSatisfy(m -> {
      assertThat(m.getContext().getTaskId()).isEqualTo(task.getId());
      assertThat(m.getContext().getNodeId()).isEqualTo(nodeId);
      assertThat(m.getStream()).isEqualTo(dev.swarmkit.api.LogStream.LOG_STREAM_STDOUT);
      assertThat(m.getTimestamp().getSeconds()).isPositive();
    });
  }

  @Test
  void followedLogsDeliverNewLinesUntilTheSinkStops() throws Exception {
    DockerController c = run(task(nodeId, "ticker", 1,
        shell("i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done")));
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    c.logs(new Controller.LogOptions(true, 0, 0, true, true), (stderr, ts, data) -> {
      lines.add(new String(data, StandardCharsets.UTF_8).strip());
      return lines.size() < 3;
    });
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("tick ");
  }

  @Test
  void waitReadyWaitsForTheHealthcheckToPass() throws Exception {
    ContainerSpec.Builder spec = shell("sleep 1; touch /tmp/ready; sleep 30")
        .setHealthcheck(HealthConfig.newBuilder().addTest("CMD-SHELL").addTest("test -f /tmp/ready")
            .setInterval(Duration.newBuilder().setNanos(200_000_000)).setRetries(50));
    DockerController c = run(task(nodeId, "healthy", 1, spec));

    c.waitReady(READY);

    assertThat(inspect(c).getState().getHealth().getStatus()).isEqualTo("healthy");
  }

  @Test
  void anUnhealthyTaskIsStoppedAndReportedAsUnhealthy() throws Exception {
    ContainerSpec.Builder spec = unhealthySleeper();
    DockerController c = run(task(nodeId, "unhealthy", 1, spec));

    assertThatThrownBy(() -> c.waitReady(READY)).hasMessage("dockerexec: unhealthy container");
    assertThat(c.inspect()).isEqualTo(ContainerState.EXITED);
  }

  @Test
  void orphanReaperRemovesOnlyThisNodesContainersOfUnknownTasks() throws Exception {
    Task known = task(nodeId, "keep", 1, shell("sleep 30"));
    Task orphan = task(nodeId, "orphan", 1, shell("sleep 30"));
    run(known);
    run(orphan);

    List<String> removed = new OrphanReaper(docker, nodeId).reap(java.util.Set.of(known.getId()));

    assertThat(removed).hasSize(1);
    assertThat(containersOf(orphan)).isEmpty();
    assertThat(containersOf(known)).hasSize(1);
    assertThat(new OrphanReaper(docker, TestTasks.newId()).taskContainers()).isEmpty();
  }

  @Test
  void describeReportsTheEngine() throws Exception {
    var description = executor.describe();
    assertThat(description.getHostname()).isNotEmpty();
    assertThat(description.getPlatform().getOs()).isEqualTo("linux");
    assertThat(description.getPlatform().getArchitecture()).isNotEmpty();
    assertThat(description.getResources().getNanoCpus()).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(description.getResources().getMemoryBytes()).isPositive();
    assertThat(description.getEngine().getEngineVersion()).isNotEmpty();
    assertThat(description.getEngine().getPluginsList())
        .anySatisfy(p -> {
          assertThat(p.getType()).isEqualTo("Network");
          assertThat(p.getName()).isEqualTo("overlay");
        })
        .anySatisfy(p -> assertThat(p.getType()).isEqualTo("Volume"));
  }

  /** Waits (without a timing assertion) until the task has printed {@code text}. */
  private static void awaitLog(DockerController c, String text) throws Exception {
    List<String> seen = new ArrayList<>();
    c.logs(new Controller.LogOptions(true, -1, 0, true, true), (stderr, ts, data) -> {
      seen.add(new String(data, StandardCharsets.UTF_8));
      return !seen.get(seen.size() - 1).contains(text);
    });
    assertThat(seen).as("the task's output").anySatisfy(line -> assertThat(line).contains(text));
  }
}
