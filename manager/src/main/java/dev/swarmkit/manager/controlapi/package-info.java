/**
 * The Control API (docker.swarmkit.v1.Control), as upstream manager/controlapi: every RPC reads a
 * store snapshot or runs one store transaction, after validating its input with upstream's rules and
 * messages. Bad input fails with INVALID_ARGUMENT (or the code upstream uses) and changes nothing.
 *
 * <p>Wiring: {@code new ControlService(store, raftView, tokens, rootCa, networkDrivers)}, where
 * {@link dev.swarmkit.manager.controlapi.RaftMembershipView} exposes the Raft members (manager status
 * in node listings, safe demotion and removal), {@link dev.swarmkit.manager.controlapi.ClusterTokenRotator}
 * generates join tokens and unlock keys for UpdateCluster rotations, {@link
 * dev.swarmkit.manager.controlapi.RootCaReconciler} checks CA configuration changes, and {@link
 * dev.swarmkit.manager.controlapi.NetworkDriverValidator} decides which network drivers are accepted.
 * Store failures map as {@link dev.swarmkit.manager.controlapi.ApiErrors#fromStore}: a write on a
 * non-leader is UNAVAILABLE.
 *
 * <p>Each object kind's RPCs live in their own package-private class ({@code NodeApi},
 * {@code ServiceApi}, ...); {@code ControlService} only adapts them to gRPC.
 */
package dev.swarmkit.manager.controlapi;
