package dev.swarmkit.executor.docker;

import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.agent.template.Template;
import dev.swarmkit.agent.template.TemplateContext;
import dev.swarmkit.agent.template.TemplateException;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Task;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Expands the placeholders that services may put in env values, hostname and mount fields, as
 * upstream's template.ExpandContainerSpec, evaluated on the worker just before the container is
 * created, with the task's {@link TemplateContext} ({@code {{.Service.Name}}}, {@code
 * {{.Node.Hostname}}}, {@code {{.Task.Slot}}}, ...). The language is the agent's {@link Template}
 * subset; anything else rejects the task.
 */
final class SpecTemplates {

  private final TemplateContext context;

  private SpecTemplates(NodeDescription node, Task task) {
    this.context = TemplateContext.of(node, task, TaskContainers.name(task));
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
    try {
      // Spec fields get no functions beyond the language's own (upstream: env/secret/config are
      // for secret and config payloads only).
      return Template.expand(s, context, Map.of());
    } catch (TemplateException e) {
      throw new ExecutorException.Rejected(what + ": " + e.getMessage(), null);
    }
  }
}
