package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Placement;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.UpdateConfig;

/** Fills unset parts of a service spec with upstream's defaults (GetService insert_defaults). */
final class ServiceDefaults {

  private static final com.google.protobuf.Duration STOP_GRACE_PERIOD = seconds(10);
  private static final com.google.protobuf.Duration RESTART_DELAY = seconds(5);
  private static final UpdateConfig UPDATE = UpdateConfig.newBuilder()
      .setFailureAction(UpdateConfig.FailureAction.PAUSE)
      .setMonitor(seconds(5))
      .setParallelism(1)
      .setOrder(UpdateConfig.UpdateOrder.STOP_FIRST)
      .build();

  private ServiceDefaults() {}

  static ServiceSpec interpolate(ServiceSpec original) {
    ServiceSpec.Builder spec = original.toBuilder();
    var task = spec.getTaskBuilder();
    if (task.hasContainer()) {
      ContainerSpec.Builder container = task.getContainerBuilder();
      if (!container.hasStopGracePeriod()) {
        container.setStopGracePeriod(STOP_GRACE_PERIOD);
      }
      if (!container.hasPullOptions()) {
        container.setPullOptions(ContainerSpec.PullOptions.getDefaultInstance());
      }
      if (!container.hasDnsConfig()) {
        container.setDnsConfig(ContainerSpec.DNSConfig.getDefaultInstance());
      }
    }
    if (!task.hasResources()) {
      task.setResources(ResourceRequirements.getDefaultInstance());
    }
    if (!task.hasRestart()) {
      task.setRestart(RestartPolicy.newBuilder()
          .setCondition(RestartPolicy.RestartCondition.ANY)
          .setDelay(RESTART_DELAY));
    } else if (!task.getRestart().hasDelay()) {
      task.getRestartBuilder().setDelay(RESTART_DELAY);
    }
    if (!task.hasPlacement()) {
      task.setPlacement(Placement.getDefaultInstance());
    }
    if (!spec.hasUpdate()) {
      spec.setUpdate(UPDATE);
    } else if (!spec.getUpdate().hasMonitor()) {
      spec.getUpdateBuilder().setMonitor(UPDATE.getMonitor());
    }
    if (!spec.hasRollback()) {
      spec.setRollback(UPDATE);
    } else if (!spec.getRollback().hasMonitor()) {
      spec.getRollbackBuilder().setMonitor(UPDATE.getMonitor());
    }
    return spec.build();
  }

  private static com.google.protobuf.Duration seconds(long seconds) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
  }
}
