package dev.swarmkit.manager.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.manager.controlapi.DefaultNetworks;
import dev.swarmkit.manager.orchestrator.Tasks;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AllocatorTest {

  private final Store store = new MemoryStore();
  private Allocator allocator = new Allocator(store);

  @AfterEach
  void stop() {
    allocator.stop();
  }

  private Network network(String name) {
    Network n = Network.newBuilder().setId(Identity.newId())
        .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))).build();
    store.update(tx -> tx.create(Table.NETWORKS, n));
    return n;
  }

  private Service service(String name, List<PortConfig> ports, String... networks) {
    TaskSpec.Builder task = TaskSpec.newBuilder();
    for (String n : networks) {
      task.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(n));
    }
    Service s = Service.newBuilder().setId(Identity.newId()).setSpec(ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name)).setTask(task)
        .setReplicated(ReplicatedService.newBuilder().setReplicas(1))
        .setEndpoint(EndpointSpec.newBuilder().addAllPorts(ports))).build();
    store.update(tx -> tx.create(Table.SERVICES, s));
    return s;
  }

  private Task newTask(Service s, long slot) {
    Service current = store.view(tx -> tx.get(Table.SERVICES, s.getId())).orElseThrow();
    Task t = Tasks.newTask(null, current, slot, "");
    store.update(tx -> tx.create(Table.TASKS, t));
    return t;
  }

  private Task awaitPending(Task t) {
    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
        .until(() -> get(t).getStatus().getState() == TaskState.PENDING);
    return get(t);
  }

  private Task get(Task t) {
    return store.view(tx -> tx.get(Table.TASKS, t.getId())).orElseThrow();
  }

  private Service get(Service s) {
    return store.view(tx -> tx.get(Table.SERVICES, s.getId())).orElseThrow();
  }

  private Network get(Network n) {
    return store.view(tx -> tx.get(Table.NETWORKS, n.getId())).orElseThrow();
  }

  private List<String> allAddresses() {
    List<String> addrs = new ArrayList<>();
    store.read(tx -> {
      tx.all(Table.SERVICES).forEach(s -> s.getEndpoint().getVirtualIpsList().forEach(v -> addrs.add(v.getAddr())));
      tx.all(Table.TASKS).forEach(t -> t.getNetworksList().forEach(a -> addrs.addAll(a.getAddressesList())));
    });
    return addrs;
  }

  @Test
  void aTaskWaitsInNewUntilAllocatedAndThenCarriesItsServicesEndpoint() {
    Network ingress = DefaultNetworks.ingress();
    store.update(tx -> tx.create(Table.NETWORKS, ingress));
    allocator.start();
    Service web = service("web", List.of(PortAllocatorTest.ingress(80, 0), PortAllocatorTest.host(81, 18081)));
    Task t = newTask(web, 1);
    assertThat(t.getStatus().getState()).isEqualTo(TaskState.NEW);

    Task pending = awaitPending(t);
    assertThat(pending.getStatus().getMessage()).isEqualTo("pending task scheduling");
    Service allocated = get(web);
    assertThat(pending.getEndpoint()).isEqualTo(allocated.getEndpoint());
    PortConfig published = allocated.getEndpoint().getPorts(0);
    assertThat(published.getPublishedPort()).isBetween(30000, 32767);
    assertThat(allocated.getEndpoint().getPorts(1)).isEqualTo(PortAllocatorTest.host(81, 18081));
    assertThat(get(ingress).getIpam().getConfigs(0).getSubnet()).isEqualTo("10.0.0.0/24");
    assertThat(allocated.getEndpoint().getVirtualIps(0).getNetworkId()).isEqualTo(ingress.getId());
    assertThat(pending.getNetworksList()).extracting(a -> a.getNetwork().getId()).containsExactly(ingress.getId());
    assertThat(pending.getNetworks(0).getNetwork().getIpam().getConfigs(0).getSubnet()).isEqualTo("10.0.0.0/24");
  }

  @Test
  void twoServicesOnOneNetworkGetDistinctVirtualIpsAndTaskAddresses() {
    allocator.start();
    Network backend = network("backend");
    Service a = service("a", List.of(), backend.getId());
    Service b = service("b", List.of(), backend.getId());
    List<Task> tasks = List.of(newTask(a, 1), newTask(a, 2), newTask(b, 1));
    tasks.forEach(this::awaitPending);

    assertThat(get(backend).getIpam().getConfigs(0).getGateway()).isEqualTo("10.0.0.1");
    assertThat(get(a).getEndpoint().getVirtualIpsList()).hasSize(1);
    assertThat(get(b).getEndpoint().getVirtualIpsList()).hasSize(1);
    for (Task t : tasks) {
      NetworkAttachment attachment = get(t).getNetworks(0);
      assertThat(attachment.getNetwork().getId()).isEqualTo(backend.getId());
      assertThat(attachment.getAddresses(0)).startsWith("10.0.0.").endsWith("/24");
    }
    assertThat(allAddresses()).hasSize(5).doesNotHaveDuplicates();
  }

  @Test
  void aNewAllocatorTakesBackWhatTheStoreRecordsBeforeAllocatingMore() {
    store.update(tx -> tx.create(Table.NETWORKS, DefaultNetworks.ingress()));
    allocator.start();
    Network backend = network("backend");
    Service a = service("a", List.of(PortAllocatorTest.ingress(80, 0)), backend.getId());
    awaitPending(newTask(a, 1));
    awaitPending(newTask(a, 2));
    int port = get(a).getEndpoint().getPorts(0).getPublishedPort();
    allocator.stop();

    // as on a new leader: an allocator with nothing in memory
    allocator = new Allocator(store);
    allocator.start();
    Service b = service("b", List.of(PortAllocatorTest.ingress(80, 0)), backend.getId());
    awaitPending(newTask(b, 1));
    awaitPending(newTask(a, 3));

    assertThat(get(a).getEndpoint().getPorts(0).getPublishedPort()).isEqualTo(port);
    assertThat(get(b).getEndpoint().getPorts(0).getPublishedPort()).isNotEqualTo(port);
    // per service: a VIP on ingress and backend; per task: an address on each
    assertThat(allAddresses()).hasSize(2 * 2 + 4 * 2).doesNotHaveDuplicates();
    List<Network> networks = store.view(tx -> tx.all(Table.NETWORKS));
    assertThat(networks).extracting(n -> n.getIpam().getConfigs(0).getSubnet())
        .doesNotHaveDuplicates();
  }

  @Test
  void removingAServiceOrStoppingATaskReleasesWhatItHeld() {
    allocator.start();
    Network backend = network("backend");
    Service a = service("a", List.of(PortAllocatorTest.host(80, 0)), backend.getId());
    Task t = awaitPending(newTask(a, 1));
    String taskAddr = t.getNetworks(0).getAddresses(0);
    String vip = get(a).getEndpoint().getVirtualIps(0).getAddr();

    store.update(tx -> tx.update(Table.TASKS, get(t).toBuilder()
        .setStatus(get(t).getStatus().toBuilder().setState(TaskState.SHUTDOWN)).build()));
    store.update(tx -> tx.delete(Table.SERVICES, a.getId()));
    // addresses go out in order after the last one handed out: cycle through the /24 to reach them
    Service b = service("b", List.of(), backend.getId());
    List<String> seen = new ArrayList<>();
    // 253 host addresses in the /24 less the gateway and b's VIP: all 252 left, the released ones too
    for (int slot = 1; slot <= 252; slot++) {
      seen.add(awaitPending(newTask(b, slot)).getNetworks(0).getAddresses(0));
    }
    assertThat(seen).contains(taskAddr, vip).doesNotHaveDuplicates();
  }

  @Test
  void aServiceNeedingNoAllocationIsNotRewrittenAndItsTasksGoStraightToPending() {
    allocator.start();
    Service plain = Service.newBuilder().setId(Identity.newId()).setSpec(ServiceSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName("plain"))
        .setReplicated(ReplicatedService.newBuilder().setReplicas(1))).build();
    store.update(tx -> tx.create(Table.SERVICES, plain));
    long version = get(plain).getMeta().getVersion().getIndex();
    Task t = awaitPending(newTask(plain, 1));
    assertThat(t.getNetworksList()).isEmpty();
    assertThat(get(plain).getMeta().getVersion().getIndex()).isEqualTo(version);
  }

  @Test
  void updatingAServicesPortsReleasesTheOldOnesAndKeepsItsDynamicPort() {
    store.update(tx -> tx.create(Table.NETWORKS, DefaultNetworks.ingress()));
    allocator.start();
    Service a = service("a", List.of(PortAllocatorTest.ingress(80, 8080), PortAllocatorTest.ingress(81, 0)));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(a).getEndpoint().getPortsCount() == 2);
    int dynamic = get(a).getEndpoint().getPorts(1).getPublishedPort();

    Service current = get(a);
    store.update(tx -> tx.update(Table.SERVICES, current.toBuilder().setSpec(current.getSpec().toBuilder()
        .setEndpoint(EndpointSpec.newBuilder().addPorts(PortAllocatorTest.ingress(80, 8081))
            .addPorts(PortAllocatorTest.ingress(81, 0)))).build()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(a).getEndpoint().getPortsList())
        .extracting(PortConfig::getPublishedPort).containsExactly(8081, dynamic));

    Service b = service("b", List.of(PortAllocatorTest.ingress(80, 8080)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(b).getEndpoint().getPortsList())
        .extracting(PortConfig::getPublishedPort).containsExactly(8080));
  }
}
