package dev.swarmkit.scheduler;

import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Task;

/** Only nodes that are READY and ACTIVE (not paused or drained) take new tasks. */
final class ReadyFilter implements Filter {

  @Override
  public boolean setTask(Task task) {
    return true;
  }

  @Override
  public boolean check(NodeInfo n) {
    return n.node().getStatus().getState() == NodeStatus.State.READY
        && n.node().getSpec().getAvailability() == NodeSpec.Availability.ACTIVE;
  }

  @Override
  public String explain(int nodes) {
    return Filter.nodes(nodes) + " not available for new tasks";
  }
}
