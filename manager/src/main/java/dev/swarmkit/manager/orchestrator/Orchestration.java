package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.manager.orchestrator.constraintenforcer.ConstraintEnforcer;
import dev.swarmkit.manager.orchestrator.global.GlobalOrchestrator;
import dev.swarmkit.manager.orchestrator.jobs.JobsOrchestrator;
import dev.swarmkit.manager.orchestrator.replicated.ReplicatedOrchestrator;
import dev.swarmkit.manager.orchestrator.taskreaper.TaskReaper;
import dev.swarmkit.store.Store;
import java.util.List;

/**
 * The leader-only orchestration components of one leadership term, started and stopped together in
 * upstream's order (manager.becomeLeader / becomeFollower). Create a new instance for each term.
 * The scheduler, dispatcher and allocator are started separately by the manager.
 */
public final class Orchestration {

  private final ConstraintEnforcer constraintEnforcer;
  private final TaskReaper taskReaper;
  private final ReplicatedOrchestrator replicated;
  private final GlobalOrchestrator global;
  private final JobsOrchestrator jobs;

  public Orchestration(Store store) {
    this.constraintEnforcer = new ConstraintEnforcer(store);
    this.taskReaper = new TaskReaper(store);
    this.replicated = new ReplicatedOrchestrator(store);
    this.global = new GlobalOrchestrator(store);
    this.jobs = new JobsOrchestrator(store);
  }

  public void start() {
    for (WatchLoop c : List.of(constraintEnforcer, taskReaper, replicated, global, jobs)) {
      c.start();
    }
  }

  /** Stops every component and waits for their threads. */
  public void stop() {
    for (WatchLoop c : List.of(constraintEnforcer, replicated, global, jobs, taskReaper)) {
      c.stop();
    }
  }
}
