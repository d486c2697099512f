package dev.swarmkit.swarmctl;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.GetClusterRequest;
import dev.swarmkit.api.GetConfigRequest;
import dev.swarmkit.api.GetNetworkRequest;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Task;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the one object a user means by an argument: an exact ID first, then an exact name, then a
 * unique ID prefix. Several candidates at the same step are reported as ambiguous rather than guessed.
 */
public final class Lookup {
    private final ControlGrpc.ControlBlockingStub control;

    Lookup(ControlGrpc.ControlBlockingStub control) {
        this.control = control;
    }

    public Node node(String input) {
        return find("node", input,
                () -> control.getNode(GetNodeRequest.newBuilder().setNodeId(input).build()).getNode(),
                filters -> control.listNodes(ListNodesRequest.newBuilder().setFilters(
                        ListNodesRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getNodesList(),
                Node::getId,
                n -> n.getSpec().getAnnotations().getName().isEmpty() && n.hasDescription()
                        ? n.getDescription().getHostname() : n.getSpec().getAnnotations().getName());
    }

    public dev.swarmkit.api.Service service(String input) {
        return find("service", input,
                () -> control.getService(GetServiceRequest.newBuilder().setServiceId(input).build()).getService(),
                filters -> control.listServices(ListServicesRequest.newBuilder().setFilters(
                        ListServicesRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getServicesList(),
                dev.swarmkit.api.Service::getId, s -> s.getSpec().getAnnotations().getName());
    }

    public Network network(String input) {
        return find("network", input,
                () -> control.getNetwork(GetNetworkRequest.newBuilder().setNetworkId(input).build()).getNetwork(),
                filters -> control.listNetworks(ListNetworksRequest.newBuilder().setFilters(
                        ListNetworksRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getNetworksList(),
                Network::getId, n -> n.getSpec().getAnnotations().getName());
    }

    public Cluster cluster(String input) {
        return find("cluster", input,
                () -> control.getCluster(GetClusterRequest.newBuilder().setClusterId(input).build()).getCluster(),
                filters -> control.listClusters(ListClustersRequest.newBuilder().setFilters(
                        ListClustersRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getClustersList(),
                Cluster::getId, c -> c.getSpec().getAnnotations().getName());
    }

    public Secret secret(String input) {
        return find("secret", input,
                () -> control.getSecret(GetSecretRequest.newBuilder().setSecretId(input).build()).getSecret(),
                filters -> control.listSecrets(ListSecretsRequest.newBuilder().setFilters(
                        ListSecretsRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getSecretsList(),
                Secret::getId, s -> s.getSpec().getAnnotations().getName());
    }

    public dev.swarmkit.api.Config config(String input) {
        return find("config", input,
                () -> control.getConfig(GetConfigRequest.newBuilder().setConfigId(input).build()).getConfig(),
                filters -> control.listConfigs(ListConfigsRequest.newBuilder().setFilters(
                        ListConfigsRequest.Filters.newBuilder().addAllNames(filters.names())
                                .addAllIdPrefixes(filters.idPrefixes())).build()).getConfigsList(),
                dev.swarmkit.api.Config::getId, c -> c.getSpec().getAnnotations().getName());
    }

    /** Tasks have no names of their own: an exact ID or a unique ID prefix. */
    public Task task(String input) {
        return find("task", input,
                () -> control.getTask(GetTaskRequest.newBuilder().setTaskId(input).build()).getTask(),
                filters -> filters.names().isEmpty()
                        ? control.listTasks(ListTasksRequest.newBuilder().setFilters(
                                ListTasksRequest.Filters.newBuilder().addAllIdPrefixes(filters.idPrefixes()))
                                .build()).getTasksList()
                        : List.of(),
                Task::getId, t -> "");
    }

    private record Filters(List<String> names, List<String> idPrefixes) {
    }

    private <T> T find(String kind, String input, Supplier<T> byId, Function<Filters, List<T>> list,
                       Function<T, String> idOf, Function<T, String> nameOf) {
        if (input.isEmpty()) {
            throw new CliException(kind + " name or ID missing");
        }
        try {
            return byId.get();
        } catch (StatusRuntimeException e) {
            // Anything but "no such ID" (e.g. the manager is unreachable) is the real answer.
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND
                    && e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                throw e;
            }
        }
        // The filters narrow the search on the server; matching again here keeps the rule exact
        // (names match case-insensitively, as the store indexes them).
        List<T> named = list.apply(new Filters(List.of(input), List.of())).stream()
                .filter(o -> nameOf.apply(o).toLowerCase(Locale.ROOT).equals(input.toLowerCase(Locale.ROOT)))
                .toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.size() > 1) {
            throw ambiguous(kind, input, named.size());
        }
        List<T> prefixed = list.apply(new Filters(List.of(), List.of(input))).stream()
                .filter(o -> idOf.apply(o).startsWith(input))
                .toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw ambiguous(kind, input, prefixed.size());
        }
        throw new CliException(kind + " " + input + " not found");
    }

    private static CliException ambiguous(String kind, String input, int matches) {
        return new CliException(kind + " " + input + " is ambiguous (" + matches + " matches found)");
    }
}
