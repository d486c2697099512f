package dev.swarmkit.scheduler;

import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Task;

/** Host-mode published ports of the task must be free on the node. */
final class HostPortFilter implements Filter {

  private Task task;

  @Override
  public boolean setTask(Task t) {
    if (t.getEndpoint().getPortsList().stream().anyMatch(NodeInfo::isHostPort)) {
      task = t;
      return true;
    }
    return false;
  }

  @Override
  public boolean check(NodeInfo n) {
    for (PortConfig p : task.getEndpoint().getPortsList()) {
      if (NodeInfo.isHostPort(p) && n.hostPortInUse(p)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String explain(int nodes) {
    return "host-mode port already in use on " + Filter.nodes(nodes);
  }
}
