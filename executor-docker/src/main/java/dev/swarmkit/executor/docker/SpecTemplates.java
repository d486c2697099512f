package dev.swarmkit.executor.docker;

import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the placeholders that services may put in env values, hostname and mount fields, as
 * upstream's template.ExpandContainerSpec, evaluated on the worker just before the container is
 * created: {@code {{.Service.ID}}}, {@code {{.Service.Name}}}, {@code {{.Service.Labels.KEY}}} or
 * {@code {{index .Service.Labels "KEY"}}}, {@code {{.Node.ID}}}, {@code {{.Node.Hostname}}},
 * {@code {{.Node.Platform.OS}}}, {@code {{.Node.Platform.Architecture}}}, {@code {{.Task.ID}}},
 * {@code {{.Task.Name}}} and {@code {{.Task.Slot}}}. Only this fixed set of values is supported
 * (not Go's full template language); anything else rejects the task.
 */
final class SpecTemplates {

  private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}");
  private static final Pattern INDEX = Pattern.compile("index\\s+\\.Service\\.Labels\\s+\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, String> serviceLabels;

  private SpecTemplates(NodeDescription node, Task task) {
    values.put(".Service.ID", task.getServiceId());
    values.put(".Service.Name", task.getServiceAnnotations().getName());
    values.put(".Node.ID", task.getNodeId());
    values.put(".Node.Hostname", node == null ? "" : node.getHostname());
    values.put(".Node.Platform.OS", node == null ? "" : node.getPlatform().getOs());
    values.put(".Node.Platform.Architecture", node == null ? "" : node.getPlatform().getArchitecture());
    values.put(".Task.ID", task.getId());
    values.put(".Task.Name", TaskContainers.name(task));
    values.put(".Task.Slot", task.getSlot() != 0 ? Long.toUnsignedString(task.getSlot()) : task.getNodeId());
    serviceLabels = task.getServiceAnnotations().getLabelsMap();
  }

  /** The task's container spec with its templated fields expanded. */
  static ContainerSpec expand(NodeDescription node, Task task) throws ExecutorException.Rejected {
    SpecTemplates t = new SpecTemplates(node, task);
    ContainerSpec spec = task.getSpec().getContainer();
    ContainerSpec.Builder out = spec.toBuilder().clearEnv();
    for (String env : spec.getEnvList()) {
      int eq = env.indexOf('=');
      if (eq < 0) {
        out.addEnv(env);
      } else {
        out.addEnv(env.substring(0, eq + 1) + t.expand(env.substring(eq + 1), "expanding env \"" + env + "\""));
      }
    }
    out.setHostname(t.expand(spec.getHostname(), "expanding hostname failed"));
    out.clearMounts();
    for (Mount m : spec.getMountsList()) {
      Mount.Builder mb = m.toBuilder()
          .setSource(t.expand(m.getSource(), "expanding mount source \"" + m.getSource() + "\""))
          .setTarget(t.expand(m.getTarget(), "expanding mount target \"" + m.getTarget() + "\""));
      if (m.hasVolumeOptions()) {
        Mount.VolumeOptions.Builder vo = mb.getVolumeOptionsBuilder();
        vo.clearLabels().putAllLabels(t.expandValues(m.getVolumeOptions().getLabelsMap(), "expanding volume labels"));
        if (m.getVolumeOptions().hasDriverConfig()) {
          vo.getDriverConfigBuilder().clearOptions().putAllOptions(
              t.expandValues(m.getVolumeOptions().getDriverConfig().getOptionsMap(), "expanding volume driver config"));
        }
      }
      out.addMounts(mb);
    }
    return out.build();
  }

  private Map<String, String> expandValues(Map<String, String> map, String what) throws ExecutorException.Rejected {
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      result.put(e.getKey(), expand(e.getValue(), what));
    }
    return result;
  }

  String expand(String s, String what) throws ExecutorException.Rejected {
    if (!s.contains("{{")) {
      return s;
    }
    Matcher m = ACTION.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), what)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String value(String expression, String what) throws ExecutorException.Rejected {
    String known = values.get(expression);
    if (known != null) {
      return known;
    }
    if (expression.startsWith(".Service.Labels.")) {
      String key = expression.substring(".Service.Labels.".length());
      String label = serviceLabels.get(key);
      if (label == null) {
        throw new ExecutorException.Rejected(what + ": map has no entry for key \"" + key + "\"", null);
      }
      return label;
    }
    Matcher index = INDEX.matcher(expression);
    if (index.matches()) {
      return serviceLabels.getOrDefault(index.group(1).replace("\\\"", "\""), "");
    }
    throw new ExecutorException.Rejected(what + ": unsupported template expression {{" + expression + "}} (supported: "
        + String.join(", ", List.copyOf(values.keySet())) + ", .Service.Labels.KEY)", null);
  }
}
