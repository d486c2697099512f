/**
 * The worker agent (upstream agent/): keeps a session with a manager's dispatcher, heartbeats,
 * applies task assignments and drives each task through its lifecycle with the {@link
 * dev.swarmkit.agent.exec.Executor}, reporting observed states back in batches.
 *
 * <p>Structure: {@link dev.swarmkit.agent.Agent} (event loop: session events, reconnects with
 * backoff), {@code Session} (one dispatcher session: Session stream, heartbeats, Assignments stream),
 * {@code Worker} (assignments to task controllers), {@code TaskController} (steps a task's {@code
 * TaskStateMachine}, upstream's exec.Do, on the shared {@code TaskRunner} pool), {@code StatusReporter} (batches status
 * updates to UpdateTaskStatus), {@code LogSubscription} (serves the log broker's subscriptions with
 * the controllers' logs) and {@code TaskDatabase}. {@code dev.swarmkit.agent.testing.SimulatedExecutor}
 * simulates containers for tests at scale.
 *
 * <p>Task database format: an append-only log {@code <state-dir>/worker/tasks.log} of records
 * (length, CRC-32C, then a task as protobuf or the ID of a deleted task), appended and fsynced per
 * change; replay keeps each task's last record and stops at the first torn or damaged one (a crash
 * mid-write loses only that change). Once the log holds more than four records per task (and over
 * 1,024), it is rewritten with one record per task into a temporary file, fsynced and renamed over
 * it. Upstream uses an embedded B-tree (bolt); a task's every status is a write, and one append to
 * an open file costs a single system call where replacing a file per task cost four and a directory
 * update (a fifth of a large simulated swarm's agent CPU). The one-file-per-task directory {@code
 * worker/tasks/} of earlier versions is read once and folded into the log.
 */
package dev.swarmkit.agent;
