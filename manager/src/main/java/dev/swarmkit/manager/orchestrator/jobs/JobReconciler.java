package dev.swarmkit.manager.orchestrator.jobs;

import dev.swarmkit.manager.orchestrator.TaskInit;

/**
 * Brings one job service's tasks in line with its current iteration. Synchronous: it reads the
 * service and its tasks afresh and writes the difference, so it may be called for any event.
 */
interface JobReconciler extends TaskInit.Handler {

  void reconcileService(String serviceId);
}
