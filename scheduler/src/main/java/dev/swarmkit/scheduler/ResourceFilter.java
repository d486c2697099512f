package dev.swarmkit.scheduler;

import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.Task;

/** The node must still have the CPU, memory and generic resources the task reserves. */
final class ResourceFilter implements Filter {

  private Resources reservations;

  @Override
  public boolean setTask(Task task) {
    Resources r = NodeInfo.reservations(task.getSpec());
    if (r.getNanoCpus() == 0 && r.getMemoryBytes() == 0 && r.getGenericCount() == 0) {
      return false;
    }
    reservations = r;
    return true;
  }

  @Override
  public boolean check(NodeInfo n) {
    if (reservations.getNanoCpus() > n.availableNanoCpus()
        || reservations.getMemoryBytes() > n.availableMemoryBytes()) {
      return false;
    }
    for (GenericResource wanted : reservations.getGenericList()) {
      if (!GenericResources.hasEnough(n.availableGeneric(), wanted)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String explain(int nodes) {
    return "insufficient resources on " + Filter.nodes(nodes);
  }
}
