package dev.swarmkit.executor.docker;

import dev.swarmkit.api.Task;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a task's container is named and labelled, as upstream's naming.Task and dockerexec labels.
 * The name and labels are what a restarted worker uses to find the containers it already runs.
 */
public final class TaskContainers {

  /** Reserved label namespace; spec labels under it are overridden by the system's. */
  public static final String LABEL_PREFIX = "com.docker.swarm";
  /** Present (empty value) on every container that runs a cluster task. */
  public static final String LABEL_TASK = LABEL_PREFIX + ".task";
  public static final String LABEL_TASK_ID = LABEL_PREFIX + ".task.id";
  public static final String LABEL_TASK_NAME = LABEL_PREFIX + ".task.name";
  public static final String LABEL_NODE_ID = LABEL_PREFIX + ".node.id";
  public static final String LABEL_SERVICE_ID = LABEL_PREFIX + ".service.id";
  public static final String LABEL_SERVICE_NAME = LABEL_PREFIX + ".service.name";

  private TaskContainers() {}

  /**
   * The task's name: its annotation name when the orchestrator set one, else
   * {@code <service>.<slot>.<taskID>}, with the node ID as the slot of node-bound (global) tasks.
   */
  public static String name(Task task) {
    String annotated = task.getAnnotations().getName();
    if (!annotated.isEmpty()) {
      return annotated;
    }
    String slot = task.getSlot() == 0 ? task.getNodeId() : Long.toUnsignedString(task.getSlot());
    return task.getServiceAnnotations().getName() + "." + slot + "." + task.getId();
  }

  /** Spec labels, then the task's own labels, then the system labels, each overriding the last. */
  public static Map<String, String> labels(Task task) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (task.getSpec().hasContainer()) {
      labels.putAll(task.getSpec().getContainer().getLabelsMap());
    }
    labels.putAll(task.getAnnotations().getLabelsMap());
    labels.put(LABEL_TASK, "");
    labels.put(LABEL_TASK_ID, task.getId());
    labels.put(LABEL_TASK_NAME, name(task));
    labels.put(LABEL_NODE_ID, task.getNodeId());
    labels.put(LABEL_SERVICE_ID, task.getServiceId());
    labels.put(LABEL_SERVICE_NAME, task.getServiceAnnotations().getName());
    return labels;
  }
}
