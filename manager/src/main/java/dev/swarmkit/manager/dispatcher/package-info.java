/**
 * The dispatcher (upstream manager/dispatcher): the leader's gRPC endpoint for agents.
 *
 * <p>Wiring: construct a {@link dev.swarmkit.manager.dispatcher.Dispatcher} with the store, {@link
 * dev.swarmkit.manager.dispatcher.DispatcherOptions}, a {@link
 * dev.swarmkit.manager.dispatcher.NodeIdentityResolver} (the CA's TLS peer identity) and a {@link
 * dev.swarmkit.manager.dispatcher.ManagerList}; register {@code dispatcher.service()} on the server
 * once; call {@code start()} on gaining leadership and {@code stop()} on losing it.
 *
 * <p>Threads: one "dispatcher" loop per leadership term commits buffered node/task status updates
 * every 100 ms (or at once at 10,000), follows cluster changes (heartbeat period, root CA, network
 * keys) and polls the manager list; one timer thread runs heartbeat deadlines and the down-node
 * orphaning timers; each Session and Assignments stream is served by its gRPC call thread.
 */
package dev.swarmkit.manager.dispatcher;
