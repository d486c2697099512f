package dev.swarmkit.scheduler;

import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.api.Task;
import java.util.List;

/**
 * The node's engine must have the volume, network and log driver plugins the task uses. Nodes that
 * report no engine are not filtered; neither are log drivers on engines that report no log plugins
 * at all (older daemons).
 */
final class PluginFilter implements Filter {

  private Task task;

  @Override
  public boolean setTask(Task t) {
    if (t.getNetworksCount() > 0 || t.getSpec().hasLogDriver()
        || t.getSpec().getContainer().getMountsList().stream().anyMatch(PluginFilter::usesVolumePlugin)) {
      task = t;
      return true;
    }
    return false;
  }

  private static boolean usesVolumePlugin(Mount m) {
    String driver = m.getVolumeOptions().getDriverConfig().getName();
    return m.getType() == Mount.Type.VOLUME && !driver.isEmpty() && !driver.equals("local");
  }

  @Override
  public boolean check(NodeInfo n) {
    NodeDescription d = n.node().getDescription();
    if (!n.node().hasDescription() || !d.hasEngine()) {
      return true;
    }
    List<PluginDescription> plugins = d.getEngine().getPluginsList();
    for (Mount m : task.getSpec().getContainer().getMountsList()) {
      if (usesVolumePlugin(m) && !lookup("Volume", m.getVolumeOptions().getDriverConfig().getName(), plugins).found) {
        return false;
      }
    }
    for (NetworkAttachment a : task.getNetworksList()) {
      String driver = a.getNetwork().getDriverState().getName();
      if (!driver.isEmpty() && !lookup("Network", driver, plugins).found) {
        return false;
      }
    }
    String logDriver = task.getSpec().getLogDriver().getName();
    if (!logDriver.isEmpty() && !logDriver.equals("none")) {
      Lookup log = lookup("Log", logDriver, plugins);
      if (log.typeReported && !log.found) {
        return false;
      }
    }
    return true;
  }

  private record Lookup(boolean typeReported, boolean found) {}

  // Plugin names are always name:tag, so "foo" matches "foo:latest" without a reference parser.
  private static Lookup lookup(String type, String name, List<PluginDescription> plugins) {
    boolean typeReported = false;
    for (PluginDescription p : plugins) {
      if (!p.getType().equals(type)) {
        continue;
      }
      typeReported = true;
      if (p.getName().equals(name) || p.getName().equals(name + ":latest")) {
        return new Lookup(true, true);
      }
    }
    return new Lookup(typeReported, false);
  }

  @Override
  public String explain(int nodes) {
    return "missing plugin on " + Filter.nodes(nodes);
  }
}
