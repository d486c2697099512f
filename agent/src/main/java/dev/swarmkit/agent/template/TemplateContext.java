package dev.swarmkit.agent.template;

import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values a template can read (upstream's template.Context): {@code .Service.ID}, {@code
 * .Service.Name}, {@code .Service.Labels}, {@code .Node.ID}, {@code .Node.Hostname}, {@code
 * .Node.Platform.OS}, {@code .Node.Platform.Architecture}, {@code .Task.ID}, {@code .Task.Name} and
 * {@code .Task.Slot}.
 */
public final class TemplateContext {

  /** A struct of the context: named fields holding strings, label maps or further structs. */
  record Struct(String type, Map<String, Object> fields) {}

  private final Struct root;

  private TemplateContext(Struct root) {
    this.root = root;
  }

  /**
   * The context of {@code task} on the node {@code node} describes (null when unknown: node fields
   * are then empty); {@code taskName} is the task's runtime name (upstream's naming.Task).
   */
  public static TemplateContext of(NodeDescription node, Task task, String taskName) {
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("ID", task.getServiceId());
    service.put("Name", task.getServiceAnnotations().getName());
    service.put("Labels", Map.copyOf(task.getServiceAnnotations().getLabelsMap()));
    Map<String, Object> platform = new LinkedHashMap<>();
    platform.put("Architecture", node == null ? "" : node.getPlatform().getArchitecture());
    platform.put("OS", node == null ? "" : node.getPlatform().getOs());
    Map<String, Object> nodeFields = new LinkedHashMap<>();
    nodeFields.put("ID", task.getNodeId());
    nodeFields.put("Hostname", node == null ? "" : node.getHostname());
    nodeFields.put("Platform", new Struct("Platform", platform));
    Map<String, Object> taskFields = new LinkedHashMap<>();
    taskFields.put("ID", task.getId());
    taskFields.put("Name", taskName);
    // Node-bound (global) tasks have no slot: the node ID stands in, as upstream.
    taskFields.put("Slot", task.getSlot() != 0 ? Long.toUnsignedString(task.getSlot()) : task.getNodeId());
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("Service", new Struct("Service", service));
    fields.put("Node", new Struct("Node", nodeFields));
    fields.put("Task", new Struct("Task", taskFields));
    return new TemplateContext(new Struct("Context", fields));
  }

  Struct root() {
    return root;
  }
}
