package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;

/** A node may hold at most placement.max_replicas active tasks of the service. */
final class MaxReplicasFilter implements Filter {

  private String serviceId;
  private long maxReplicas;

  @Override
  public boolean setTask(Task task) {
    maxReplicas = task.getSpec().getPlacement().getMaxReplicas();
    serviceId = task.getServiceId();
    return maxReplicas != 0;
  }

  @Override
  public boolean check(NodeInfo n) {
    // max_replicas is a uint64: compare unsigned so huge values mean "no practical limit".
    return Long.compareUnsigned(n.activeTasksCount(serviceId), maxReplicas) < 0;
  }

  @Override
  public String explain(int nodes) {
    return "max replicas per node limit exceed";
  }
}
