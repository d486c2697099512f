package dev.swarmkit.agent;

import dev.swarmkit.agent.TaskStateMachine.Resolved;
import dev.swarmkit.agent.exec.Controller;
import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.agent.exec.Executor;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.AssignmentChange;
import dev.swarmkit.api.AssignmentChange.AssignmentAction;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies assignments from the dispatcher (upstream's worker): keeps one {@link TaskController} per
 * assigned task, the task database in step with the assignments, and the executor's secrets and
 * configs up to date. Tasks no longer assigned have their runtime object removed.
 */
final class Worker {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final TaskDatabase db;
  private final Executor executor;
  private final BiConsumer<String, TaskStatus> listener;
  private final Map<String, TaskController> controllers = new HashMap<>();
  private final Set<String> secretIds = new HashSet<>();
  private final Set<String> configIds = new HashSet<>();
  private final ExecutorService removals = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "task-removal");
    t.setDaemon(true);
    return t;
  });
  private final List<java.util.function.Consumer<TaskController>> taskListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private boolean closed;
  private boolean left;
  private int pendingRemovals;

  /** {@code listener} receives every status change, after it is stored. */
  Worker(TaskDatabase db, Executor executor, BiConsumer<String, TaskStatus> listener) {
    this.db = db;
    this.executor = executor;
    this.listener = listener;
  }

  /** Re-adopts the tasks recorded before a restart, starting their controllers. */
  synchronized void init() {
    for (Task task : db.all()) {
      startTask(task, true);
    }
  }

  /**
   * After a restart the runtime may have moved on while nobody watched: a task recorded as starting
   * or running whose container no longer exists has failed.
   */
  private Task adopt(Task task, Controller controller) {
    int state = task.getStatus().getState().getNumber();
    if (state < TaskState.STARTING_VALUE || state > TaskState.RUNNING_VALUE) {
      return task;
    }
    try {
      if (controller.inspect() != Controller.ContainerState.ABSENT) {
        return task;
      }
    } catch (ExecutorException e) {
      log.warn("could not inspect task {} on adoption: {}", task.getId(), e.getMessage());
      return task;
    }
    TaskStatus failed = task.getStatus().toBuilder().setState(TaskState.FAILED)
        .setMessage("adopting task failed").setErr("task container is gone after agent restart")
        .setTimestamp(com.google.protobuf.util.Timestamps.fromMillis(System.currentTimeMillis()))
        .build();
    recordStatus(task.getId(), failed);
    return task.toBuilder().setStatus(failed).build();
  }

  /** A complete assignment set: everything not in it is removed. */
  synchronized void assign(List<AssignmentChange> changes) {
    if (!closed && !left) {
      reconcileDependencies(changes, true);
      reconcileTasks(changes, true);
    }
  }

  /** Incremental changes to the assignment set. */
  synchronized void update(List<AssignmentChange> changes) {
    if (!closed && !left) {
      reconcileDependencies(changes, false);
      reconcileTasks(changes, false);
    }
  }

  /**
   * Removes every task and refuses further assignments (upstream's Leave: the node is leaving the
   * swarm), then waits up to {@code timeoutMillis} for the runtime objects to be removed.
   */
  boolean leave(long timeoutMillis) throws InterruptedException {
    synchronized (this) {
      reconcileDependencies(List.of(), true);
      reconcileTasks(List.of(), true);
      left = true;
      long deadline = System.currentTimeMillis() + timeoutMillis;
      while (pendingRemovals > 0) {
        long wait = deadline - System.currentTimeMillis();
        if (wait <= 0) {
          return false;
        }
        wait(wait);
      }
      return true;
    }
  }

  /** Every stored task's status, as upstream's Report after a new session. */
  synchronized void reportAll(BiConsumer<String, TaskStatus> sink) {
    for (Task t : db.all()) {
      sink.accept(t.getId(), t.getStatus());
    }
  }

  /** Calls {@code listener} with every task controller started from now on (log follow). */
  void addTaskListener(java.util.function.Consumer<TaskController> listener) {
    taskListeners.add(listener);
  }

  void removeTaskListener(java.util.function.Consumer<TaskController> listener) {
    taskListeners.remove(listener);
  }

  synchronized List<TaskController> controllers() {
    return new ArrayList<>(controllers.values());
  }

  synchronized List<Task> tasks() {
    List<Task> out = new ArrayList<>();
    controllers.values().forEach(c -> out.add(c.task()));
    return out;
  }

  /** Stops all task controllers, leaving containers as they are (they are re-adopted on restart). */
  void close() {
    List<TaskController> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(controllers.values());
      controllers.clear();
    }
    all.forEach(TaskController::close);
    removals.shutdown();
    try {
      removals.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void reconcileTasks(List<AssignmentChange> changes, boolean fullSnapshot) {
    Set<String> assigned = new HashSet<>();
    List<String> removed = new ArrayList<>();
    for (AssignmentChange change : changes) {
      if (!change.getAssignment().hasTask()) {
        continue;
      }
      Task task = change.getAssignment().getTask();
      if (change.getAction() == AssignmentAction.REMOVE) {
        removed.add(task.getId());
        continue;
      }
      assigned.add(task.getId());
      Task stored = db.putAssignment(task);
      TaskController existing = controllers.get(task.getId());
      if (existing != null) {
        existing.update(task);
      } else {
        startTask(stored, false);
      }
    }
    if (fullSnapshot) {
      for (String id : new ArrayList<>(controllers.keySet())) {
        if (!assigned.contains(id)) {
          removeTask(id);
        }
      }
      for (Task stored : db.all()) {
        if (!assigned.contains(stored.getId())) {
          db.delete(stored.getId());
        }
      }
    } else {
      removed.forEach(this::removeTask);
    }
  }

  private void startTask(Task task, boolean adopting) {
    if (controllers.containsKey(task.getId())) {
      return;
    }
    Resolved resolved = TaskStateMachine.resolve(task, executor);
    if (adopting && resolved.controller() != null) {
      task = adopt(task, resolved.controller());
      resolved = new Resolved(resolved.controller(), task.getStatus(), null);
    }
    if (!resolved.status().equals(task.getStatus())) {
      recordStatus(task.getId(), resolved.status());
    }
    if (resolved.controller() == null) {
      log.error("controller resolution failed for task {}: {}", task.getId(), resolved.error().getMessage());
      return;
    }
    TaskController tc = new TaskController(task.toBuilder().setStatus(resolved.status()).build(),
        resolved.controller(), this::recordStatus);
    controllers.put(task.getId(), tc);
    tc.start();
    taskListeners.forEach(l -> l.accept(tc));
  }

  private void recordStatus(String taskId, TaskStatus status) {
    if (!db.putStatus(taskId, status)) {
      log.info("attempted to update status for a task that has been removed: {}", taskId);
      return;
    }
    listener.accept(taskId, status);
  }

  private void removeTask(String taskId) {
    db.delete(taskId);
    TaskController tc = controllers.remove(taskId);
    if (tc == null) {
      return;
    }
    pendingRemovals++;
    removals.execute(() -> {
      try {
        tc.close();
        tc.controller().remove();
      } catch (ExecutorException e) {
        log.error("remove task {} failed: {}", taskId, e.getMessage());
      } finally {
        tc.controller().close();
        synchronized (this) {
          pendingRemovals--;
          notifyAll();
        }
      }
    });
  }

  private void reconcileDependencies(List<AssignmentChange> changes, boolean fullSnapshot) {
    DependencyStore deps = executor.dependencies();
    Set<String> seenSecrets = new HashSet<>();
    Set<String> seenConfigs = new HashSet<>();
    for (AssignmentChange change : changes) {
      var a = change.getAssignment();
      boolean remove = change.getAction() == AssignmentAction.REMOVE;
      if (a.hasSecret()) {
        String id = a.getSecret().getId();
        if (remove) {
          deps.removeSecret(id);
          secretIds.remove(id);
        } else {
          deps.putSecret(a.getSecret());
          secretIds.add(id);
          seenSecrets.add(id);
        }
      } else if (a.hasConfig()) {
        String id = a.getConfig().getId();
        if (remove) {
          deps.removeConfig(id);
          configIds.remove(id);
        } else {
          deps.putConfig(a.getConfig());
          configIds.add(id);
          seenConfigs.add(id);
        }
      }
    }
    if (fullSnapshot) {
      for (String id : new ArrayList<>(secretIds)) {
        if (!seenSecrets.contains(id)) {
          deps.removeSecret(id);
          secretIds.remove(id);
        }
      }
      for (String id : new ArrayList<>(configIds)) {
        if (!seenConfigs.contains(id)) {
          deps.removeConfig(id);
          configIds.remove(id);
        }
      }
    }
  }
}
