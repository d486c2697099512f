package dev.swarmkit.store;

import static dev.swarmkit.store.Fixtures.node;
import static dev.swarmkit.store.Fixtures.resource;
import static dev.swarmkit.store.Fixtures.service;
import static dev.swarmkit.store.Fixtures.task;
import static dev.swarmkit.store.Fixtures.taskReferencing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemoryStoreIndexTest {

  private final MemoryStore store = new MemoryStore();

  @BeforeEach
  void populate() {
    store.update(tx -> {
      tx.create(Table.NODES, node("n1", "alpha-1", NodeRole.MANAGER, NodeSpec.Membership.ACCEPTED));
      tx.create(Table.NODES, node("n2", "Alpha-2", NodeRole.WORKER, NodeSpec.Membership.ACCEPTED));
      tx.create(Table.NODES, node("n3", "beta", NodeRole.WORKER, NodeSpec.Membership.PENDING));
      tx.create(Table.SERVICES, service("s1", "web"));
      tx.create(Table.TASKS, task("t1", "s1", "n1", 1));
      tx.create(Table.TASKS, task("t2", "s1", "n2", 2));
      tx.create(Table.TASKS, task("t3", "s2", "n2", 1).toBuilder()
          .setDesiredState(TaskState.SHUTDOWN)
          .setStatus(TaskStatus.newBuilder().setState(TaskState.FAILED)).build());
      tx.create(Table.TASKS, taskReferencing("t4", "net1", "sec1", "cfg1"));
    });
  }

  private <T extends Message> List<String> ids(Table<T> table, By by) {
    return store.view(tx -> tx.find(table, by)).stream().map(table::idOf).toList();
  }

  @Test
  void findsByIdPrefixInIdOrder() {
    assertThat(ids(Table.TASKS, By.idPrefix("t"))).containsExactly("t1", "t2", "t3", "t4");
    assertThat(ids(Table.TASKS, By.idPrefix("t3"))).containsExactly("t3");
    assertThat(ids(Table.TASKS, By.idPrefix("x"))).isEmpty();
  }

  @Test
  void findsNodesByHostnameCaseInsensitivelyAndByPrefix() {
    assertThat(ids(Table.NODES, By.name("ALPHA-1"))).containsExactly("n1");
    assertThat(ids(Table.NODES, By.namePrefix("alpha"))).containsExactly("n1", "n2");
    assertThat(ids(Table.NODES, By.namePrefix("AL"))).containsExactly("n1", "n2");
  }

  @Test
  void findsTasksByUpstreamTaskName() {
    // no annotation name: <service name>.<slot>.<id>
    assertThat(ids(Table.TASKS, By.name("svc-s1.2.t2"))).containsExactly("t2");
    assertThat(ids(Table.TASKS, By.namePrefix("SVC-S1."))).containsExactly("t1", "t2", "t4");
  }

  @Test
  void nodeBoundTaskNameUsesTheNodeId() {
    Task global = task("g1", "s9", "n3", 0);
    assertThat(Table.taskName(global)).isEqualTo("svc-s9.n3.g1");
  }

  @Test
  void findsTasksByServiceNodeAndSlot() {
    assertThat(ids(Table.TASKS, By.serviceId("s1"))).containsExactly("t1", "t2", "t4");
    assertThat(ids(Table.TASKS, By.nodeId("n2"))).containsExactly("t2", "t3");
    assertThat(ids(Table.TASKS, By.slot("s1", 1))).containsExactly("t1", "t4");
    assertThat(ids(Table.TASKS, By.slot("s1", 2))).containsExactly("t2");
    assertThat(ids(Table.TASKS, By.slot("s2", 2))).isEmpty();
  }

  @Test
  void findsTasksByDesiredAndObservedState() {
    assertThat(ids(Table.TASKS, By.desiredState(TaskState.SHUTDOWN))).containsExactly("t3");
    assertThat(ids(Table.TASKS, By.desiredState(TaskState.RUNNING))).containsExactly("t1", "t2", "t4");
    assertThat(ids(Table.TASKS, By.taskState(TaskState.FAILED))).containsExactly("t3");
  }

  @Test
  void indexesFollowUpdates() {
    store.update(tx -> {
      Task t = tx.get(Table.TASKS, "t1").orElseThrow();
      tx.update(Table.TASKS, t.toBuilder().setNodeId("n3").setStatus(TaskStatus.newBuilder()
          .setState(TaskState.RUNNING)).build());
    });
    assertThat(ids(Table.TASKS, By.nodeId("n1"))).isEmpty();
    assertThat(ids(Table.TASKS, By.nodeId("n3"))).containsExactly("t1");
    assertThat(ids(Table.TASKS, By.taskState(TaskState.RUNNING))).containsExactly("t1");
    assertThat(ids(Table.TASKS, By.taskState(TaskState.PENDING))).containsExactly("t2", "t4");
    store.update(tx -> tx.delete(Table.TASKS, "t1"));
    assertThat(ids(Table.TASKS, By.nodeId("n3"))).isEmpty();
    assertThat(ids(Table.TASKS, By.taskState(TaskState.RUNNING))).isEmpty();
  }

  @Test
  void findsNodesByRoleAndMembership() {
    assertThat(ids(Table.NODES, By.role(NodeRole.MANAGER))).containsExactly("n1");
    assertThat(ids(Table.NODES, By.role(NodeRole.WORKER))).containsExactly("n2", "n3");
    assertThat(ids(Table.NODES, By.membership(NodeSpec.Membership.PENDING))).containsExactly("n3");
  }

  @Test
  void findsTasksByReferencedNetworkSecretAndConfig() {
    assertThat(ids(Table.TASKS, By.referencedNetworkId("net1"))).containsExactly("t4");
    assertThat(ids(Table.TASKS, By.referencedSecretId("sec1"))).containsExactly("t4");
    assertThat(ids(Table.TASKS, By.referencedConfigId("cfg1"))).containsExactly("t4");
    assertThat(ids(Table.TASKS, By.referencedSecretId("cfg1"))).isEmpty();
  }

  @Test
  void findsServicesByReferencedNetworkPreferringTheTaskTemplate() {
    Service s = service("s5", "api").toBuilder().setSpec(service("s5", "api").getSpec().toBuilder()
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("legacy"))
        .setTask(TaskSpec.newBuilder()
            .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("net7"))
            .setContainer(ContainerSpec.newBuilder().addSecrets(SecretReference.newBuilder().setSecretId("sec7")))))
        .build();
    Service legacy = service("s6", "old").toBuilder().setSpec(service("s6", "old").getSpec().toBuilder()
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("legacy"))).build();
    store.update(tx -> {
      tx.create(Table.SERVICES, s);
      tx.create(Table.SERVICES, legacy);
    });
    assertThat(ids(Table.SERVICES, By.referencedNetworkId("net7"))).containsExactly("s5");
    assertThat(ids(Table.SERVICES, By.referencedNetworkId("legacy"))).containsExactly("s6");
    assertThat(ids(Table.SERVICES, By.referencedSecretId("sec7"))).containsExactly("s5");
  }

  @Test
  void findsResourcesAndExtensionsByKind() {
    store.update(tx -> {
      tx.create(Table.EXTENSIONS, Fixtures.extension("e1", "gpu"));
      tx.create(Table.EXTENSIONS, Fixtures.extension("e2", "disk"));
      tx.create(Table.RESOURCES, resource("r1", "card0", "gpu"));
      tx.create(Table.RESOURCES, resource("r2", "disk0", "disk"));
    });
    assertThat(ids(Table.RESOURCES, By.kind("gpu"))).containsExactly("r1");
    assertThat(ids(Table.EXTENSIONS, By.kind("gpu"))).containsExactly("e1");
  }

  @Test
  void findsByCustomIndexAndCustomPrefix() {
    store.update(tx -> {
      Service s = service("s8", "custom");
      tx.create(Table.SERVICES, s.toBuilder().setSpec(s.getSpec().toBuilder()
          .setAnnotations(Fixtures.withIndex(s.getSpec().getAnnotations(), "team", "storage"))).build());
      tx.create(Table.EXTENSIONS, Fixtures.extension("e8", "k"));
      Resource r = resource("r8", "thing", "k");
      tx.create(Table.RESOURCES, r.toBuilder()
          .setAnnotations(Fixtures.withIndex(r.getAnnotations(), "team", "stats")).build());
    });
    assertThat(ids(Table.SERVICES, By.custom("team", "storage"))).containsExactly("s8");
    assertThat(ids(Table.SERVICES, By.custom("team", "stor"))).isEmpty();
    assertThat(ids(Table.SERVICES, By.customPrefix("team", "sto"))).containsExactly("s8");
    assertThat(ids(Table.RESOURCES, By.customPrefix("team", "st"))).containsExactly("r8");
  }

  @Test
  void orIsTheUnionWithoutDuplicatesInIdOrder() {
    assertThat(ids(Table.TASKS, By.or(By.nodeId("n2"), By.serviceId("s1"), By.idPrefix("t1"))))
        .containsExactly("t1", "t2", "t3", "t4");
  }

  @Test
  void aSelectorTheTableDoesNotIndexIsRejected() {
    assertThatThrownBy(() -> store.view(tx -> tx.find(Table.NODES, By.serviceId("s1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node");
  }

  @Test
  void findOnALargeTableDoesNotNeedToScanIt() {
    store.batch(b -> {
      for (int i = 0; i < 2000; i++) {
        int n = i;
        b.update(tx -> tx.create(Table.TASKS, task(String.format("bulk%05d", n), "big", "n" + (n % 10), n)));
      }
    });
    Function<By, Integer> count = by -> store.view(tx -> tx.find(Table.TASKS, by)).size();
    assertThat(count.apply(By.serviceId("big"))).isEqualTo(2000);
    assertThat(count.apply(By.nodeId("n7"))).isEqualTo(200);
    assertThat(count.apply(By.slot("big", 1234))).isEqualTo(1);
  }

  @Test
  void findsTasksAndServicesByRuntime() {
    store.update(tx -> {
      tx.create(Table.TASKS, task("c1", "s", "n", 1).toBuilder()
          .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.getDefaultInstance())).build());
      tx.create(Table.TASKS, task("g1", "s", "n", 2).toBuilder()
          .setSpec(TaskSpec.newBuilder().setGeneric(dev.swarmkit.api.GenericRuntimeSpec.newBuilder().setKind("Plugin")))
          .build());
    });
    assertThat(ids(Table.TASKS, By.runtime("container"))).containsExactly("c1", "t4");
    assertThat(ids(Table.TASKS, By.runtime("plugin"))).containsExactly("g1");
  }

  @Test
  void findsTasksByVolumeAttachmentAndVolumesByGroupAndDriver() {
    store.update(tx -> {
      tx.create(Table.TASKS, task("v1", "s", "n", 1).toBuilder()
          .addVolumes(dev.swarmkit.api.VolumeAttachment.newBuilder().setId("vol1")).build());
      dev.swarmkit.api.Volume v = Fixtures.volume("vol1", "data");
      tx.create(Table.VOLUMES, v.toBuilder().setSpec(v.getSpec().toBuilder().setGroup("fast")
          .setDriver(dev.swarmkit.api.Driver.newBuilder().setName("csi-x"))).build());
    });
    assertThat(ids(Table.TASKS, By.volumeAttachment("vol1"))).containsExactly("v1");
    assertThat(ids(Table.VOLUMES, By.volumeGroup("fast"))).containsExactly("vol1");
    assertThat(ids(Table.VOLUMES, By.driver("csi-x"))).containsExactly("vol1");
    assertThat(ids(Table.VOLUMES, By.name("DATA"))).containsExactly("vol1");
  }
}
