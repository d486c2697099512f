package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.GetTaskResponse;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.ListTasksResponse;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.RemoveTaskResponse;
import dev.swarmkit.api.Task;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.List;

/** Task RPCs of the control API (upstream controlapi/task.go). */
final class TaskApi {

  private final Store store;

  TaskApi(Store store) {
    this.store = store;
  }

  GetTaskResponse get(GetTaskRequest request) {
    String id = request.getTaskId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    Task task = store.view(tx -> tx.get(Table.TASKS, id))
        .orElseThrow(() -> ApiErrors.notFound("task %s not found", id));
    return GetTaskResponse.newBuilder().setTask(task).build();
  }

  RemoveTaskResponse remove(RemoveTaskRequest request) {
    String id = request.getTaskId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    try {
      store.update(tx -> tx.delete(Table.TASKS, id));
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("task %s not found", id);
    }
    return RemoveTaskResponse.getDefaultInstance();
  }

  ListTasksResponse list(ListTasksRequest request) {
    ListTasksRequest.Filters f = request.getFilters();
    List<Task> tasks = store.view(tx -> tx.find(Table.TASKS, indexSelector(f)).stream()
        .filter(t -> Filters.contains(TaskNaming.name(t), f.getNamesList()))
        .filter(t -> Filters.containsPrefix(TaskNaming.name(t), f.getNamePrefixesList()))
        .filter(t -> Filters.containsPrefix(t.getId(), f.getIdPrefixesList()))
        .filter(t -> Filters.matchLabels(t.getServiceAnnotations().getLabelsMap(), f.getLabelsMap()))
        .filter(t -> Filters.contains(t.getServiceId(), f.getServiceIdsList()))
        .filter(t -> Filters.contains(t.getNodeId(), f.getNodeIdsList()))
        .filter(t -> f.getRuntimesCount() == 0
            || TaskNaming.runtime(t.getSpec()).map(f.getRuntimesList()::contains).orElse(false))
        .filter(t -> f.getDesiredStatesCount() == 0 || f.getDesiredStatesList().contains(t.getDesiredState()))
        .filter(t -> !f.getUpToDate() || isUpToDate(tx, t))
        .toList());
    return ListTasksResponse.newBuilder().addAllTasks(tasks).build();
  }

  /**
   * The one filter answered from an index; the others are applied to its result. Names are not
   * looked up by index: a task without an explicit name is known by its derived "service.slot.id".
   */
  private static By indexSelector(ListTasksRequest.Filters f) {
    if (f.getIdPrefixesCount() > 0) {
      return Filters.anyOf(f.getIdPrefixesList(), By::idPrefix);
    }
    if (f.getServiceIdsCount() > 0) {
      return Filters.anyOf(f.getServiceIdsList(), By::serviceId);
    }
    if (f.getNodeIdsCount() > 0) {
      return Filters.anyOf(f.getNodeIdsList(), By::nodeId);
    }
    if (f.getDesiredStatesCount() > 0) {
      return Filters.anyKnownOf(f.getDesiredStatesList(), By::desiredState);
    }
    return By.all();
  }

  private static boolean isUpToDate(ReadTx tx, Task task) {
    return tx.get(Table.SERVICES, task.getServiceId())
        .map(service -> TaskFreshness.isUpToDate(service, task,
            tx.get(Table.NODES, task.getNodeId()).orElse(null)))
        .orElse(false);
  }
}
