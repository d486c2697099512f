package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.executor.docker.DockerClients;
import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import dev.swarmkit.executor.docker.RequiresDocker;
import dev.swarmkit.executor.docker.TaskContainers;
import dev.swarmkit.executor.docker.TaskNetworks;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.net.Cidr;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network allocation through real nodes: subnets, virtual IPs, task addresses, leader failover. */
class NetworkAllocationTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  private static MemoryStore storeOf(SwarmNode node) {
    return node.manager().orElseThrow().store();
  }

  /** Every address the store records in use: VIPs, and addresses of tasks not yet stopped. */
  private static List<String> addressesInUse(MemoryStore store) {
    List<String> addrs = new ArrayList<>();
    store.read(tx -> {
      for (Service s : tx.all(Table.SERVICES)) {
        s.getEndpoint().getVirtualIpsList().forEach(v -> addrs.add(v.getAddr()));
      }
      for (Task t : tx.all(Table.TASKS)) {
        if (t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE) {
          t.getNetworksList().forEach(a -> addrs.addAll(a.getAddressesList()));
        }
      }
    });
    return addrs;
  }

  private static List<Task> running(MemoryStore store, String serviceId) {
    List<Task> tasks = store.view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getServiceId().equals(serviceId))
        .filter(t -> t.getDesiredState() == TaskState.RUNNING && t.getStatus().getState() == TaskState.RUNNING)
        .toList();
  }

  private static Network network(MemoryStore store, String id) {
    return store.view(tx -> tx.get(Table.NETWORKS, id)).orElseThrow();
  }

  private static String ip(String cidr) {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  private static boolean inSubnet(Network n, String cidr) {
    Cidr subnet = Cidr.parse(n.getIpam().getConfigs(0).getSubnet()).orElseThrow();
    return subnet.contains(Cidr.parseAddress(ip(cidr)).orElseThrow());
  }

  @Test
  @RequiresDocker
  void twoServicesOnOneNetworkGetDistinctAddressesAndEachContainerHasItsOwn() throws Exception {
    NodeContainers containers = new NodeContainers();
    try (DockerClient docker = DockerClients.create(DockerExecutorConfig.defaults())) {
      SwarmNode manager = swarm.dockerSwarm(1, containers::track, null);
      MemoryStore store = storeOf(manager);
      String name = "backend-" + Identity.newId().substring(0, 8);
      String networkId = swarm.swarmctlOk("node-1", "network", "create", "--name", name).trim();
      await().atMost(LONG).until(() -> network(store, networkId).getIpam().getConfigsCount() == 1);
      Network net = network(store, networkId);
      assertThat(net.getIpam().getConfigs(0).getSubnet()).matches("10\\.0\\.\\d+\\.0/24");

      String a = swarm.swarmctlOk("node-1", "service", "create", "--name", "a", "--image",
          DockerEngineCheck.TEST_IMAGE, "--replicas", "2", "--network", name, "--command", "sleep", "--args", "600")
          .trim();
      String b = swarm.swarmctlOk("node-1", "service", "create", "--name", "b", "--image",
          DockerEngineCheck.TEST_IMAGE, "--network", name, "--command", "sleep", "--args", "600").trim();
      await().atMost(LONG).untilAsserted(() -> {
        assertThat(running(store, a)).hasSize(2);
        assertThat(running(store, b)).hasSize(1);
      });

      List<String> vips = new ArrayList<>();
      for (String id : List.of(a, b)) {
        Endpoint e = store.view(tx -> tx.get(Table.SERVICES, id)).orElseThrow().getEndpoint();
        assertThat(e.getVirtualIpsList()).singleElement().satisfies(v -> {
          assertThat(v.getNetworkId()).isEqualTo(networkId);
          assertThat(inSubnet(net, v.getAddr())).as(v.getAddr()).isTrue();
        });
        vips.add(e.getVirtualIps(0).getAddr());
      }
      List<Task> tasks = new ArrayList<>(running(store, a));
      tasks.addAll(running(store, b));
      List<String> taskAddrs = new ArrayList<>();
      for (Task t : tasks) {
        NetworkAttachment att = t.getNetworks(0);
        assertThat(att.getNetwork().getId()).isEqualTo(networkId);
        String addr = att.getAddresses(0);
        assertThat(inSubnet(net, addr)).as(addr).isTrue();
        taskAddrs.add(addr);
        // the container has exactly that address on the network, as inspect and the container itself say
        Container c = containers.ofService(t.getServiceAnnotations().getName(), false).stream()
            .filter(x -> t.getId().equals(x.getLabels().get(TaskContainers.LABEL_TASK_ID))).findFirst().orElseThrow();
        assertThat(c.getNetworkSettings().getNetworks().get(name).getIpAddress()).isEqualTo(ip(addr));
        assertThat(exec(docker, c.getId(), "ip", "-4", "addr")).contains("inet " + addr);
        assertThat(swarm.swarmctlOk("node-1", "task", "inspect", t.getId())).containsPattern(
            "(?m)^Networks\\s*\\n  " + name + "\\s+: " + java.util.regex.Pattern.quote(addr) + "$");
      }
      // containers of the network on the same node reach each other at their allocated addresses
      String firstContainer = containers.ofService("a", false).get(0).getId();
      String otherAddr = ip(running(store, b).get(0).getNetworks(0).getAddresses(0));
      assertThat(exec(docker, firstContainer, "ping", "-c", "1", "-W", "5", otherAddr)).contains("1 packets received");
      List<String> all = new ArrayList<>(vips);
      all.addAll(taskAddrs);
      assertThat(all).hasSize(5).doesNotHaveDuplicates()
          .doesNotContain(net.getIpam().getConfigs(0).getGateway() + "/24");
      var engineNetwork = docker.inspectNetworkCmd().withNetworkId(name).exec();
      assertThat(engineNetwork.getLabels()).containsEntry(TaskNetworks.LABEL_NETWORK_ID, networkId);
      assertThat(engineNetwork.getIpam().getConfig().get(0).getSubnet()).isEqualTo(net.getIpam().getConfigs(0).getSubnet());

      // once no task of ours uses it, the engine network goes, and the store releases the addresses
      swarm.swarmctlOk("node-1", "service", "rm", "a");
      swarm.swarmctlOk("node-1", "service", "rm", "b");
      await().atMost(LONG).untilAsserted(() -> {
        assertThat(docker.listNetworksCmd().withNameFilter(name).exec()).noneMatch(n -> n.getName().equals(name));
        assertThat(addressesInUse(store)).isEmpty();
      });
      swarm.swarmctlOk("node-1", "network", "rm", name);
    } finally {
      swarm.close();
      containers.close();
    }
  }

  private static String exec(DockerClient docker, String container, String... cmd) throws InterruptedException {
    String id = docker.execCreateCmd(container).withCmd(cmd).withAttachStdout(true).withAttachStderr(true).exec()
        .getId();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        out.writeBytes(frame.getPayload());
      }
    }).awaitCompletion(20, TimeUnit.SECONDS);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void allocationsSurviveALeaderFailoverWithoutDuplicates() throws Exception {
    SwarmNode first = swarm.init("node-1");
    String managerToken = swarm.joinToken("node-1", "Manager");
    List<SwarmNode> managers = List.of(first, swarm.join("node-2", first, managerToken),
        swarm.join("node-3", first, managerToken));
    await().atMost(LONG).until(() -> managers.stream()
        .allMatch(m -> m.manager().orElseThrow().replication().membership().members().size() == 3));
    SwarmNode leader = leaderOf(managers);
    String leaderName = "node-" + (managers.indexOf(leader) + 1);
    swarm.swarmctlUpdate(leaderName, "cluster", "update", "default", "--heartbeat-period", "1s");

    String networkId = swarm.swarmctlOk(leaderName, "network", "create", "--name", "backend").trim();
    String a = swarm.swarmctlOk(leaderName, "service", "create", "--name", "a", "--image", "local/busybox:1",
        "--replicas", "4", "--network", "backend", "--ports", "http:80", "--publish-mode", "ingress").trim();
    await().atMost(LONG).untilAsserted(() -> assertThat(running(storeOf(leader), a)).hasSize(4));
    int portBefore = storeOf(leader).view(tx -> tx.get(Table.SERVICES, a)).orElseThrow().getEndpoint()
        .getPorts(0).getPublishedPort();
    Map<String, List<String>> before = new java.util.HashMap<>();
    running(storeOf(leader), a).forEach(t -> before.put(t.getId(), addressesOf(t)));

    swarm.stop(leader);
    List<SwarmNode> survivors = managers.stream().filter(m -> m != leader).toList();
    SwarmNode newLeader = leaderOf(survivors);
    String newLeaderName = "node-" + (managers.indexOf(newLeader) + 1);
    MemoryStore store = storeOf(newLeader);

    String b = swarm.swarmctlOk(newLeaderName, "service", "create", "--name", "b", "--image", "local/busybox:1",
        "--replicas", "4", "--network", "backend", "--ports", "http:80", "--publish-mode", "ingress").trim();
    swarm.swarmctlOk(newLeaderName, "service", "update", a, "--replicas", "6");
    String other = swarm.swarmctlOk(newLeaderName, "network", "create", "--name", "other").trim();

    await().atMost(LONG).untilAsserted(() -> {
      assertThat(running(store, a)).hasSize(6).noneMatch(t -> t.getNodeId().equals(leader.nodeId()));
      assertThat(running(store, b)).hasSize(4).noneMatch(t -> t.getNodeId().equals(leader.nodeId()));
      assertThat(network(store, other).getIpam().getConfigsCount()).isEqualTo(1);
    });
    // 2 addresses (ingress + backend) per running task; the tasks of the stopped manager's node keep
    // theirs, as upstream: the node may still run them. Nothing is handed out twice.
    List<String> taskAddresses = new ArrayList<>();
    for (String id : List.of(a, b)) {
      running(store, id).forEach(t -> taskAddresses.addAll(addressesOf(t)));
    }
    assertThat(taskAddresses).hasSize(10 * 2);
    assertThat(addressesInUse(store)).containsAll(taskAddresses).doesNotHaveDuplicates();
    // tasks that ran before the failover and still run kept their addresses
    for (Task t : running(store, a)) {
      if (before.containsKey(t.getId())) {
        assertThat(addressesOf(t)).isEqualTo(before.get(t.getId()));
      }
    }
    List<Network> networks = store.view(tx -> tx.all(Table.NETWORKS));
    assertThat(networks).extracting(n -> n.getIpam().getConfigs(0).getSubnet()).doesNotHaveDuplicates();
    Service svcA = store.view(tx -> tx.get(Table.SERVICES, a)).orElseThrow();
    Service svcB = store.view(tx -> tx.get(Table.SERVICES, b)).orElseThrow();
    assertThat(svcA.getEndpoint().getPorts(0).getPublishedPort()).as("a keeps its port").isEqualTo(portBefore);
    assertThat(svcB.getEndpoint().getPorts(0).getPublishedPort()).isNotEqualTo(portBefore).isBetween(30000, 32767);
    assertThat(network(store, networkId).getIpam()).isEqualTo(network(storeOf(survivors.get(0)), networkId).getIpam());
  }

  private static List<String> addressesOf(Task t) {
    return t.getNetworksList().stream().flatMap(n -> n.getAddressesList().stream()).toList();
  }

  private static SwarmNode leaderOf(List<SwarmNode> managers) {
    await().atMost(LONG).until(() -> managers.stream().anyMatch(m -> m.manager().orElseThrow().replication().isLeader()));
    return managers.stream().filter(m -> m.manager().orElseThrow().replication().isLeader()).findFirst().orElseThrow();
  }
}
