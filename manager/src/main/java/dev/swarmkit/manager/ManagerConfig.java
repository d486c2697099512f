package dev.swarmkit.manager;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.manager.dispatcher.DispatcherOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a manager needs to run.
 *
 * @param security this node's certificate, key and root CA
 * @param remoteListen where the remote API (mutual TLS) listens
 * @param advertiseAddr the "host:port" other nodes use to reach the remote API
 * @param controlSocket the Unix socket of the Control API
 * @param dispatcher dispatcher tunables (heartbeat period and grace)
 * @param bootstrapCluster the cluster object to create when this manager starts a new swarm
 */
public record ManagerConfig(
    SecurityConfig security,
    InetSocketAddress remoteListen,
    String advertiseAddr,
    Path controlSocket,
    DispatcherOptions dispatcher,
    Optional<Cluster> bootstrapCluster) {}
