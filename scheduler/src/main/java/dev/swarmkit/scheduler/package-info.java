/**
 * The scheduler: places pending tasks on nodes, as upstream's manager/scheduler.
 *
 * <p>{@link dev.swarmkit.scheduler.Scheduler} runs on the Raft leader only, on one thread that reads
 * the store's nodes and tasks and then follows its changes. Pending tasks are grouped (same service
 * and spec), each group is run through the filter pipeline — {@code ReadyFilter}, {@code
 * ResourceFilter}, {@code PluginFilter}, {@code ConstraintFilter}, {@code PlatformFilter}, {@code
 * HostPortFilter}, {@code MaxReplicasFilter}, in upstream's order — and spread over the nodes that
 * pass (fewest tasks of the service first, then fewest tasks overall, split evenly over placement
 * preference label values). Decisions are written 200 task updates per transaction. A task that fits
 * nowhere stays PENDING with {@code status.err} such as "no suitable node (insufficient resources on 2
 * nodes)".
 *
 * <p>{@link dev.swarmkit.scheduler.Constraint} parses and evaluates placement constraints; the
 * control API uses {@link dev.swarmkit.scheduler.Constraint#parse} to validate them and orchestrators
 * use {@link dev.swarmkit.scheduler.Constraint#nodeMatches}.
 */
package dev.swarmkit.scheduler;
