package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.api.Assignment;
import dev.swarmkit.api.AssignmentChange;
import dev.swarmkit.api.AssignmentChange.AssignmentAction;
import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ResourceReference;
import dev.swarmkit.api.ResourceType;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one node has been told it runs (upstream's assignmentSet): its tasks plus the secrets and
 * configs they reference, reference-counted by task. Collects changes until {@link #message()}
 * drains them into one AssignmentsMessage; dependencies are listed before tasks so an agent has them
 * when a task needs them.
 */
final class AssignmentSet {

  private record Key(ResourceType type, String id) {}

  private final Map<String, Task> tasks = new HashMap<>();
  private final Map<Key, Set<String>> tasksUsingDependency = new HashMap<>();
  private final Map<Key, AssignmentChange> changes = new LinkedHashMap<>();

  /** Adds or refreshes a task; returns whether anything is to be sent. */
  boolean addOrUpdateTask(ReadTx tx, Task task) {
    if (task.getStatus().getState().getNumber() < TaskState.ASSIGNED.getNumber()) {
      return false;
    }
    Task old = tasks.get(task.getId());
    if (old != null) {
      if (equalStable(old, task) && task.getStatus().getState().getNumber() > TaskState.ASSIGNED.getNumber()) {
        // Only the status moved on, which the agent reported itself: nothing to tell it.
        tasks.put(task.getId(), task);
        if (task.getStatus().getState().getNumber() > TaskState.RUNNING.getNumber()) {
          return releaseTaskDependencies(task);
        }
        return false;
      }
    } else if (task.getStatus().getState().getNumber() <= TaskState.RUNNING.getNumber()) {
      addTaskDependencies(tx, task);
    }
    tasks.put(task.getId(), task);
    changes.put(new Key(ResourceType.TASK, task.getId()), update(Assignment.newBuilder().setTask(task)));
    return true;
  }

  /** The store version of the copy of the task held here, or -1 if it is not held. */
  long versionOf(String taskId) {
    Task t = tasks.get(taskId);
    return t == null ? -1 : t.getMeta().getVersion().getIndex();
  }

  /** Removes a deleted task; returns whether anything is to be sent. */
  boolean removeTask(Task task) {
    if (tasks.remove(task.getId()) == null) {
      return false;
    }
    changes.put(new Key(ResourceType.TASK, task.getId()), AssignmentChange.newBuilder()
        .setAssignment(Assignment.newBuilder().setTask(Task.newBuilder().setId(task.getId())))
        .setAction(AssignmentAction.REMOVE).build());
    releaseTaskDependencies(task);
    return true;
  }

  /** Drains the pending changes, dependencies first. */
  AssignmentsMessage message() {
    List<AssignmentChange> deps = new ArrayList<>();
    List<AssignmentChange> taskChanges = new ArrayList<>();
    changes.forEach((key, change) -> (key.type() == ResourceType.TASK ? taskChanges : deps).add(change));
    changes.clear();
    return AssignmentsMessage.newBuilder().addAllChanges(deps).addAllChanges(taskChanges).build();
  }

  /** Upstream's TasksEqualStable: equal apart from meta and status. */
  static boolean equalStable(Task a, Task b) {
    return a.toBuilder().clearMeta().clearStatus().build()
        .equals(b.toBuilder().clearMeta().clearStatus().build());
  }

  private void addTaskDependencies(ReadTx tx, Task task) {
    for (ResourceReference ref : task.getSpec().getResourceReferencesList()) {
      if (ref.getResourceType() != ResourceType.SECRET && ref.getResourceType() != ResourceType.CONFIG) {
        continue;
      }
      Key key = new Key(ref.getResourceType(), ref.getResourceId());
      if (users(key).isEmpty()) {
        assign(tx, key);
      }
      users(key).add(task.getId());
    }
    if (!task.getSpec().hasContainer()) {
      return;
    }
    for (SecretReference ref : task.getSpec().getContainer().getSecretsList()) {
      Key key = new Key(ResourceType.SECRET, ref.getSecretId());
      if (!users(key).contains(task.getId())) {
        assign(tx, key);
      }
      users(key).add(task.getId());
    }
    for (ConfigReference ref : task.getSpec().getContainer().getConfigsList()) {
      Key key = new Key(ResourceType.CONFIG, ref.getConfigId());
      if (users(key).isEmpty()) {
        assign(tx, key);
      }
      users(key).add(task.getId());
    }
  }

  private void assign(ReadTx tx, Key key) {
    Assignment.Builder assignment = Assignment.newBuilder();
    if (key.type() == ResourceType.SECRET) {
      var secret = tx.get(Table.SECRETS, key.id());
      if (secret.isEmpty()) {
        return; // upstream logs "secret not found" and sends nothing
      }
      assignment.setSecret(secret.get());
    } else {
      var config = tx.get(Table.CONFIGS, key.id());
      if (config.isEmpty()) {
        return;
      }
      assignment.setConfig(config.get());
    }
    changes.put(key, update(assignment));
  }

  private boolean releaseTaskDependencies(Task task) {
    boolean modified = false;
    for (ResourceReference ref : task.getSpec().getResourceReferencesList()) {
      if (ref.getResourceType() == ResourceType.SECRET || ref.getResourceType() == ResourceType.CONFIG) {
        modified |= release(new Key(ref.getResourceType(), ref.getResourceId()), task.getId());
      }
    }
    if (task.getSpec().hasContainer()) {
      for (SecretReference ref : task.getSpec().getContainer().getSecretsList()) {
        modified |= release(new Key(ResourceType.SECRET, ref.getSecretId()), task.getId());
      }
      for (ConfigReference ref : task.getSpec().getContainer().getConfigsList()) {
        modified |= release(new Key(ResourceType.CONFIG, ref.getConfigId()), task.getId());
      }
    }
    return modified;
  }

  private boolean release(Key key, String taskId) {
    Set<String> users = tasksUsingDependency.get(key);
    if (users == null) {
      return false;
    }
    users.remove(taskId);
    if (!users.isEmpty()) {
      return false;
    }
    tasksUsingDependency.remove(key);
    Assignment.Builder assignment = Assignment.newBuilder();
    if (key.type() == ResourceType.SECRET) {
      assignment.setSecret(dev.swarmkit.api.Secret.newBuilder().setId(key.id()));
    } else {
      assignment.setConfig(dev.swarmkit.api.Config.newBuilder().setId(key.id()));
    }
    changes.put(key, AssignmentChange.newBuilder().setAssignment(assignment)
        .setAction(AssignmentAction.REMOVE).build());
    return true;
  }

  private Set<String> users(Key key) {
    return tasksUsingDependency.computeIfAbsent(key, k -> new HashSet<>());
  }

  private static AssignmentChange update(Assignment.Builder assignment) {
    return AssignmentChange.newBuilder().setAssignment(assignment).setAction(AssignmentAction.UPDATE).build();
  }
}
