package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.pendingTask;
import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static dev.swarmkit.scheduler.Fixtures.runningOn;
import static dev.swarmkit.scheduler.Fixtures.withConstraints;
import static dev.swarmkit.scheduler.Fixtures.withReservations;
import static dev.swarmkit.scheduler.Fixtures.withResources;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiltersTest {

  private static boolean passes(Filter f, Task t, NodeInfo n) {
    return !f.setTask(t) || f.check(n);
  }

  private static NodeInfo info(Node.Builder n, Task... tasks) {
    return new NodeInfo(n.build(), List.of(tasks));
  }

  @Test
  void readyFilterAcceptsOnlyReadyActiveNodes() {
    Task t = pendingTask("t", "svc").build();
    ReadyFilter f = new ReadyFilter();

    assertThat(passes(f, t, info(readyNode("a")))).isTrue();
    Node.Builder down = readyNode("b");
    down.getStatusBuilder().setState(NodeStatus.State.DOWN);
    assertThat(passes(f, t, info(down))).isFalse();
    Node.Builder drained = readyNode("c");
    drained.getSpecBuilder().setAvailability(NodeSpec.Availability.DRAIN);
    assertThat(passes(f, t, info(drained))).isFalse();
    Node.Builder paused = readyNode("d");
    paused.getSpecBuilder().setAvailability(NodeSpec.Availability.PAUSE);
    assertThat(passes(f, t, info(paused))).isFalse();
    assertThat(f.explain(1)).isEqualTo("1 node not available for new tasks");
    assertThat(f.explain(3)).isEqualTo("3 nodes not available for new tasks");
  }

  @Test
  void resourceFilterSubtractsWhatTasksOnTheNodeReserve() {
    Task wants2Cpus = withReservations(pendingTask("t", "svc"), 2_000_000_000L, 1L << 30).build();
    Task holds1Cpu = runningOn(withReservations(pendingTask("r", "svc"), 1_000_000_000L, 0), "a");
    ResourceFilter f = new ResourceFilter();

    assertThat(passes(f, wants2Cpus, info(withResources(readyNode("a"), 4_000_000_000L, 2L << 30)))).isTrue();
    assertThat(passes(f, wants2Cpus, info(withResources(readyNode("a"), 2_000_000_000L, 2L << 30), holds1Cpu)))
        .isFalse();
    assertThat(passes(f, wants2Cpus, info(withResources(readyNode("a"), 4_000_000_000L, 1L << 29)))).isFalse();
    assertThat(f.setTask(pendingTask("none", "svc").build())).as("no reservations: filter off").isFalse();
    assertThat(f.explain(2)).isEqualTo("insufficient resources on 2 nodes");
  }

  @Test
  void resourceFilterCountsDiscreteAndNamedGenericResources() {
    Task wantsTwoGpus = pendingTask("t", "svc")
        .setSpec(pendingTask("t", "svc").getSpec().toBuilder().setResources(ResourceRequirements.newBuilder()
            .setReservations(Resources.newBuilder().addGeneric(GenericResources.discrete("gpu", 2)))))
        .build();
    ResourceFilter f = new ResourceFilter();

    Node.Builder discrete = readyNode("a");
    discrete.getDescriptionBuilder().setResources(Resources.newBuilder().addGeneric(GenericResources.discrete("gpu", 2)));
    Node.Builder named = readyNode("b");
    named.getDescriptionBuilder().setResources(Resources.newBuilder()
        .addGeneric(GenericResources.named("gpu", "UUID1")).addGeneric(GenericResources.named("gpu", "UUID2")));
    Node.Builder oneNamed = readyNode("c");
    oneNamed.getDescriptionBuilder().setResources(Resources.newBuilder().addGeneric(GenericResources.named("gpu", "UUID1")));

    assertThat(passes(f, wantsTwoGpus, info(discrete))).isTrue();
    assertThat(passes(f, wantsTwoGpus, info(named))).isTrue();
    assertThat(passes(f, wantsTwoGpus, info(oneNamed))).isFalse();
    assertThat(passes(f, wantsTwoGpus, info(readyNode("d")))).isFalse();

    NodeInfo namedInfo = info(named);
    List<dev.swarmkit.api.GenericResource> chosen = namedInfo.chooseGenericResources(wantsTwoGpus.getSpec());
    namedInfo.addTask(runningOn(wantsTwoGpus.toBuilder().addAllAssignedGenericResources(chosen), "b"));
    assertThat(chosen).hasSize(2);
    assertThat(passes(f, wantsTwoGpus, namedInfo)).as("both named GPUs taken").isFalse();
    namedInfo.removeTask(namedInfo.tasks().get("t"));
    assertThat(passes(f, wantsTwoGpus, namedInfo)).as("released again").isTrue();
  }

  @Test
  void pluginFilterRequiresNetworkVolumeAndLogPlugins() {
    Task onNetwork = pendingTask("t", "svc").addNetworks(NetworkAttachment.newBuilder()
        .setNetwork(Network.newBuilder().setDriverState(Driver.newBuilder().setName("weave")))).build();
    Task withVolume = pendingTask("v", "svc").setSpec(pendingTask("v", "svc").getSpec().toBuilder()
        .setContainer(dev.swarmkit.api.ContainerSpec.newBuilder().addMounts(Mount.newBuilder()
            .setType(Mount.Type.VOLUME).setVolumeOptions(Mount.VolumeOptions.newBuilder()
                .setDriverConfig(Driver.newBuilder().setName("rexray")))))).build();
    Task withLog = pendingTask("l", "svc").setSpec(pendingTask("l", "svc").getSpec().toBuilder()
        .setLogDriver(Driver.newBuilder().setName("splunk"))).build();
    PluginFilter f = new PluginFilter();

    Node.Builder hasPlugins = readyNode("a");
    hasPlugins.getDescriptionBuilder().setEngine(EngineDescription.newBuilder()
        .addPlugins(PluginDescription.newBuilder().setType("Network").setName("weave:latest"))
        .addPlugins(PluginDescription.newBuilder().setType("Volume").setName("rexray"))
        .addPlugins(PluginDescription.newBuilder().setType("Log").setName("splunk")));
    Node.Builder otherLog = readyNode("b");
    otherLog.getDescriptionBuilder().setEngine(EngineDescription.newBuilder()
        .addPlugins(PluginDescription.newBuilder().setType("Log").setName("json-file")));

    assertThat(passes(f, onNetwork, info(hasPlugins))).isTrue();
    assertThat(passes(f, withVolume, info(hasPlugins))).isTrue();
    assertThat(passes(f, withLog, info(hasPlugins))).isTrue();
    assertThat(passes(f, onNetwork, info(readyNode("c")))).isFalse();
    assertThat(passes(f, withVolume, info(readyNode("c")))).isFalse();
    assertThat(passes(f, withLog, info(readyNode("c")))).as("engine reports no log plugins").isTrue();
    assertThat(passes(f, withLog, info(otherLog))).isFalse();
    assertThat(passes(f, onNetwork, info(readyNode("d").clearDescription()))).as("no engine").isTrue();
    assertThat(f.explain(1)).isEqualTo("missing plugin on 1 node");
  }

  @Test
  void constraintFilterMatchesNodeLabels() {
    Task t = withConstraints(pendingTask("t", "svc"), "node.labels.zone==east").build();
    ConstraintFilter f = new ConstraintFilter();

    assertThat(passes(f, t, info(Fixtures.withLabel(readyNode("a"), "zone", "east")))).isTrue();
    assertThat(passes(f, t, info(readyNode("b")))).isFalse();
    assertThat(f.setTask(withConstraints(pendingTask("x", "svc"), "bogus").build()))
        .as("invalid constraints disable the filter").isFalse();
    assertThat(f.explain(1)).isEqualTo("scheduling constraints not satisfied on 1 node");
  }

  @Test
  void platformFilterNormalizesArchitectures() {
    Task t = pendingTask("t", "svc").setSpec(pendingTask("t", "svc").getSpec().toBuilder()
        .setPlacement(dev.swarmkit.api.Placement.newBuilder()
            .addPlatforms(Platform.newBuilder().setOs("linux").setArchitecture("amd64")))).build();
    PlatformFilter f = new PlatformFilter();

    Node.Builder x86 = readyNode("a");
    x86.getDescriptionBuilder().setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"));
    Node.Builder arm = readyNode("b");
    arm.getDescriptionBuilder().setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("aarch64"));

    assertThat(passes(f, t, info(x86))).isTrue();
    assertThat(passes(f, t, info(arm))).isFalse();
    assertThat(passes(f, t, info(readyNode("c")))).as("node reports no platform").isFalse();
    assertThat(f.explain(2)).isEqualTo("unsupported platform on 2 nodes");
  }

  @Test
  void hostPortFilterRejectsNodesWherePortAndProtocolAreTaken() {
    PortConfig tcp80 = PortConfig.newBuilder().setPublishMode(PortConfig.PublishMode.HOST)
        .setPublishedPort(80).setProtocol(PortConfig.Protocol.TCP).build();
    PortConfig udp80 = tcp80.toBuilder().setProtocol(PortConfig.Protocol.UDP).build();
    Task wantsTcp80 = pendingTask("t", "svc").setEndpoint(Endpoint.newBuilder().addPorts(tcp80)).build();
    Task holdsTcp80 = runningOn(pendingTask("r", "svc").setEndpoint(Endpoint.newBuilder().addPorts(tcp80)), "a");
    Task holdsUdp80 = runningOn(pendingTask("u", "svc").setEndpoint(Endpoint.newBuilder().addPorts(udp80)), "b");
    HostPortFilter f = new HostPortFilter();

    assertThat(passes(f, wantsTcp80, info(readyNode("a"), holdsTcp80))).isFalse();
    assertThat(passes(f, wantsTcp80, info(readyNode("b"), holdsUdp80))).isTrue();
    Task ingress = pendingTask("i", "svc").setEndpoint(Endpoint.newBuilder()
        .addPorts(tcp80.toBuilder().setPublishMode(PortConfig.PublishMode.INGRESS))).build();
    assertThat(f.setTask(ingress)).as("ingress ports are not host ports").isFalse();
    assertThat(f.explain(2)).isEqualTo("host-mode port already in use on 2 nodes");
  }

  @Test
  void maxReplicasFilterCountsActiveTasksOfTheService() {
    Task t = pendingTask("t", "svc").setSpec(pendingTask("t", "svc").getSpec().toBuilder()
        .setPlacement(dev.swarmkit.api.Placement.newBuilder().setMaxReplicas(1))).build();
    MaxReplicasFilter f = new MaxReplicasFilter();

    assertThat(passes(f, t, info(readyNode("a"), runningOn(pendingTask("r", "svc"), "a")))).isFalse();
    assertThat(passes(f, t, info(readyNode("b"), runningOn(pendingTask("r", "other"), "b")))).isTrue();
    assertThat(f.explain(3)).isEqualTo("max replicas per node limit exceed");
  }

  /** Ties keep the pipeline's order (upstream leaves their order unspecified). */
  @Test
  void pipelineExplainsMostFrequentFailuresFirst() {
    Pipeline p = new Pipeline();
    Task t = withConstraints(withReservations(pendingTask("t", "svc"), 1_000_000_000L, 0), "node.labels.zone==east")
        .build();
    Node.Builder down = withResources(Fixtures.withLabel(readyNode("down"), "zone", "east"), 2_000_000_000L, 0);
    down.getStatusBuilder().setState(NodeStatus.State.DOWN);
    List<NodeInfo> nodes = List.of(
        info(withResources(readyNode("small1"), 1, 0)),
        info(withResources(readyNode("small2"), 1, 0)),
        info(withResources(readyNode("west"), 2_000_000_000L, 0)),
        info(down));

    p.setTask(t);
    nodes.forEach(p::process);

    assertThat(p.explain()).isEqualTo(
        "insufficient resources on 2 nodes; 1 node not available for new tasks; "
            + "scheduling constraints not satisfied on 1 node");
  }
}
