package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.Version;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskControlTest {

  private final ControlTestServer ts = new ControlTestServer();
  private Service web;

  @BeforeEach
  void createTasks() {
    web = ts.client.createService(CreateServiceRequest.newBuilder()
        .setSpec(ServiceControlTest.spec("web").toBuilder()
            .setAnnotations(Annotations.newBuilder().setName("web").putLabels("app", "shop")))
        .build()).getService();
    TaskSpec current = web.getSpec().getTask();
    TaskSpec outdated = current.toBuilder().setContainer(ContainerSpec.newBuilder().setImage("nginx:1.0")).build();
    ts.store.update(tx -> {
      tx.create(Table.TASKS, Task.newBuilder().setId("task1").setServiceId(web.getId()).setSlot(1)
          .setNodeId("node1").setDesiredState(TaskState.RUNNING).setSpec(current)
          .setServiceAnnotations(web.getSpec().getAnnotations()).build());
      tx.create(Table.TASKS, Task.newBuilder().setId("task2").setServiceId(web.getId()).setSlot(2)
          .setNodeId("node2").setDesiredState(TaskState.SHUTDOWN).setSpec(outdated)
          .setServiceAnnotations(web.getSpec().getAnnotations()).build());
      tx.create(Table.TASKS, Task.newBuilder().setId("other").setServiceId("svc2").setNodeId("node1")
          .setDesiredState(TaskState.RUNNING).setAnnotations(Annotations.newBuilder().setName("named"))
          .setSpec(current).build());
    });
  }

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  private List<String> list(ListTasksRequest.Filters filters) {
    return ts.client.listTasks(ListTasksRequest.newBuilder().setFilters(filters).build())
        .getTasksList().stream().map(Task::getId).toList();
  }

  @Test
  void listTasksAppliesEveryFilter() {
    assertThat(list(ListTasksRequest.Filters.getDefaultInstance())).containsExactly("other", "task1", "task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addNames("web.1.task1").build())).containsExactly("task1");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addNames("named").build())).containsExactly("other");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addNamePrefixes("web.").build()))
        .containsExactly("task1", "task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addIdPrefixes("task").build()))
        .containsExactly("task1", "task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addServiceIds(web.getId()).build()))
        .containsExactly("task1", "task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addNodeIds("node1").build()))
        .containsExactly("other", "task1");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addDesiredStates(TaskState.SHUTDOWN).build()))
        .containsExactly("task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().putLabels("app", "shop").build()))
        .containsExactly("task1", "task2");
    assertThat(list(ListTasksRequest.Filters.newBuilder().addRuntimes("container").build())).hasSize(3);
    assertThat(list(ListTasksRequest.Filters.newBuilder().setUpToDate(true).build())).containsExactly("task1");
    assertThat(list(ListTasksRequest.Filters.newBuilder()
        .addServiceIds(web.getId()).addNodeIds("node2").build())).containsExactly("task2");
  }

  @Test
  void aTaskWhoseNodeSatisfiesNewConstraintsIsStillUpToDate() {
    ts.store.update(tx -> {
      tx.create(Table.NODES, Node.newBuilder().setId("node1").setRole(NodeRole.MANAGER).build());
      tx.create(Table.NODES, Node.newBuilder().setId("node2").setRole(NodeRole.WORKER).build());
      Service service = tx.get(Table.SERVICES, web.getId()).orElseThrow();
      tx.update(Table.SERVICES, service.toBuilder().setSpecVersion(Version.newBuilder().setIndex(99))
          .setSpec(service.getSpec().toBuilder().setTask(service.getSpec().getTask().toBuilder()
              .setPlacement(Placement.newBuilder().addConstraints("node.role==manager")))).build());
      Task task2 = tx.get(Table.TASKS, "task2").orElseThrow();
      tx.update(Table.TASKS, task2.toBuilder().setSpec(service.getSpec().getTask()).build());
    });

    assertThat(list(ListTasksRequest.Filters.newBuilder().setUpToDate(true).build()))
        .as("task1 runs on a manager; task2's worker node no longer qualifies").containsExactly("task1");
  }

  @Test
  void getAndRemoveTask() {
    assertThat(ts.client.getTask(GetTaskRequest.newBuilder().setTaskId("task1").build()).getTask().getSlot())
        .isEqualTo(1);

    ts.client.removeTask(RemoveTaskRequest.newBuilder().setTaskId("task1").build());

    assertThat(ts.get(Table.TASKS, "task1")).isEmpty();
    assertFails(() -> ts.client.getTask(GetTaskRequest.newBuilder().setTaskId("task1").build()),
        Status.Code.NOT_FOUND, "task task1 not found");
    assertFails(() -> ts.client.removeTask(RemoveTaskRequest.newBuilder().setTaskId("task1").build()),
        Status.Code.NOT_FOUND, "task task1 not found");
    assertFails(() -> ts.client.getTask(GetTaskRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "invalid argument");
  }
}
