/**
 * The worker agent (upstream agent/): keeps a session with a manager's dispatcher, heartbeats,
 * applies task assignments and drives each task through its lifecycle with the {@link
 * dev.swarmkit.agent.exec.Executor}, reporting observed states back in batches.
 *
 * <p>Structure: {@link dev.swarmkit.agent.Agent} (event loop: session events, reconnects with
 * backoff), {@code Session} (one dispatcher session: Session stream, heartbeats, Assignments stream),
 * {@code Worker} (assignments to task controllers), {@code TaskController} (one thread per task
 * running {@code TaskStateMachine}, upstream's exec.Do), {@code StatusReporter} (batches status
 * updates to UpdateTaskStatus), {@code LogSubscription} (serves the log broker's subscriptions with
 * the controllers' logs) and {@code TaskDatabase}. {@code dev.swarmkit.agent.testing.SimulatedExecutor}
 * simulates containers for tests at scale.
 *
 * <p>Task database format: one protobuf file per task under {@code <state-dir>/worker/tasks/}, each
 * written to a temporary file, fsynced and atomically renamed over the previous version (then the
 * directory is fsynced). Upstream uses an embedded B-tree (bolt); here every write replaces one small
 * object whole, so per-file atomic replacement gives the same durability (a crash leaves either the
 * old or the new version, never a torn one) without a storage engine dependency, compaction, or log
 * replay. Tasks per node are few (tens to hundreds) and files are a few KiB, so loading them all at
 * start is cheap, and a damaged file affects only its own task.
 */
package dev.swarmkit.agent;
