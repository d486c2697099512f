package dev.swarmkit.swarmctl;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.swarmkit.api.CAGrpc;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateConfigResponse;
import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.CreateNetworkResponse;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateSecretResponse;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.CreateServiceResponse;
import dev.swarmkit.api.GetClusterRequest;
import dev.swarmkit.api.GetClusterResponse;
import dev.swarmkit.api.GetConfigRequest;
import dev.swarmkit.api.GetConfigResponse;
import dev.swarmkit.api.GetNetworkRequest;
import dev.swarmkit.api.GetNetworkResponse;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.GetNodeResponse;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.GetSecretResponse;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetServiceResponse;
import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.GetTaskResponse;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.GetUnlockKeyResponse;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListClustersResponse;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListConfigsResponse;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.ListNetworksResponse;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListNodesResponse;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.ListSecretsResponse;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListServicesResponse;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.ListTasksResponse;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogsGrpc;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.RemoveNodeResponse;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.RemoveServiceResponse;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.RemoveTaskResponse;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SubscribeLogsMessage;
import dev.swarmkit.api.SubscribeLogsRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.UpdateClusterResponse;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.api.UpdateNodeResponse;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.api.UpdateServiceResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A manager stand-in serving canned objects over a real Unix socket with TLS (self-signed, as a
 * manager's control socket is), recording every request it receives. Filters behave like the real
 * Control API's: exact names (case-insensitive), ID prefixes, service and node IDs.
 */
final class FakeManager implements AutoCloseable {
    final List<Node> nodes = new CopyOnWriteArrayList<>();
    final List<dev.swarmkit.api.Service> services = new CopyOnWriteArrayList<>();
    final List<Task> tasks = new CopyOnWriteArrayList<>();
    final List<Cluster> clusters = new CopyOnWriteArrayList<>();
    final List<Network> networks = new CopyOnWriteArrayList<>();
    final List<Secret> secrets = new CopyOnWriteArrayList<>();
    final List<dev.swarmkit.api.Config> configs = new CopyOnWriteArrayList<>();
    final List<LogMessage> logs = new CopyOnWriteArrayList<>();
    final List<Message> requests = new CopyOnWriteArrayList<>();
    /** Method name (e.g. "RemoveService") to the status it fails with. */
    final Map<String, Status> failures = new ConcurrentHashMap<>();
    volatile ByteString unlockKey = ByteString.EMPTY;

    private final Server server;
    private final EventLoopGroup eventLoop;
    final Path socket;

    @SuppressWarnings("deprecation")
    FakeManager(Path socket) throws Exception {
        this.socket = socket;
        Files.deleteIfExists(socket);
        SelfSignedCertificate certificate = new SelfSignedCertificate(UnixSocketChannels.AUTHORITY, "EC", 256); // EC: fast to generate
        eventLoop = new EpollEventLoopGroup(1);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(eventLoop)
                .workerEventLoopGroup(eventLoop)
                .sslContext(GrpcSslContexts.forServer(certificate.certificate(), certificate.privateKey()).build())
                .addService(new Control())
                .addService(new Ca())
                .addService(new Logs())
                .build()
                .start();
    }

    void reset() {
        nodes.clear();
        services.clear();
        tasks.clear();
        clusters.clear();
        networks.clear();
        secrets.clear();
        configs.clear();
        logs.clear();
        requests.clear();
        failures.clear();
        unlockKey = ByteString.EMPTY;
    }

    @SuppressWarnings("unchecked")
    <T extends Message> List<T> received(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(m -> (T) m).toList();
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        Files.deleteIfExists(socket);
    }

    private <Q extends Message, R> void answer(String method, Q request, StreamObserver<R> observer,
                                               Function<Q, R> handler) {
        requests.add(request);
        Status failure = failures.get(method);
        if (failure != null) {
            observer.onError(failure.asRuntimeException());
            return;
        }
        try {
            observer.onNext(handler.apply(request));
            observer.onCompleted();
        } catch (io.grpc.StatusRuntimeException e) {
            observer.onError(e);
        }
    }

    private static <T> T byId(List<T> objects, Function<T, String> id, String wanted, String kind) {
        return objects.stream().filter(o -> id.apply(o).equals(wanted)).findFirst()
                .orElseThrow(() -> Status.NOT_FOUND.withDescription(kind + " " + wanted + " not found")
                        .asRuntimeException());
    }

    private static <T> List<T> filter(List<T> objects, Function<T, String> id, Function<T, String> name,
                                      List<String> names, List<String> idPrefixes) {
        List<T> result = new ArrayList<>();
        for (T o : objects) {
            boolean nameOk = names.isEmpty() || names.stream()
                    .anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(name.apply(o).toLowerCase(Locale.ROOT)));
            boolean idOk = idPrefixes.isEmpty() || idPrefixes.stream().anyMatch(p -> id.apply(o).startsWith(p));
            if (nameOk && idOk) {
                result.add(o);
            }
        }
        return result;
    }

    private static String nodeName(Node n) {
        return n.getSpec().getAnnotations().getName().isEmpty()
                ? n.getDescription().getHostname() : n.getSpec().getAnnotations().getName();
    }

    private final class Control extends ControlGrpc.ControlImplBase {
        @Override
        public void getNode(GetNodeRequest request, StreamObserver<GetNodeResponse> observer) {
            answer("GetNode", request, observer, r -> GetNodeResponse.newBuilder()
                    .setNode(byId(nodes, Node::getId, r.getNodeId(), "node")).build());
        }

        @Override
        public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> observer) {
            answer("ListNodes", request, observer, r -> ListNodesResponse.newBuilder().addAllNodes(
                    filter(nodes, Node::getId, FakeManager::nodeName, r.getFilters().getNamesList(),
                            r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void updateNode(UpdateNodeRequest request, StreamObserver<UpdateNodeResponse> observer) {
            answer("UpdateNode", request, observer, r -> UpdateNodeResponse.newBuilder()
                    .setNode(byId(nodes, Node::getId, r.getNodeId(), "node").toBuilder().setSpec(r.getSpec()))
                    .build());
        }

        @Override
        public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> observer) {
            answer("RemoveNode", request, observer, r -> RemoveNodeResponse.getDefaultInstance());
        }

        @Override
        public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> observer) {
            answer("GetTask", request, observer, r -> GetTaskResponse.newBuilder()
                    .setTask(byId(tasks, Task::getId, r.getTaskId(), "task")).build());
        }

        @Override
        public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> observer) {
            answer("ListTasks", request, observer, r -> {
                ListTasksRequest.Filters f = r.getFilters();
                List<Task> matching = filter(tasks, Task::getId, t -> "", List.of(), f.getIdPrefixesList())
                        .stream()
                        .filter(t -> f.getServiceIdsCount() == 0 || f.getServiceIdsList().contains(t.getServiceId()))
                        .filter(t -> f.getNodeIdsCount() == 0 || f.getNodeIdsList().contains(t.getNodeId()))
                        .toList();
                return ListTasksResponse.newBuilder().addAllTasks(matching).build();
            });
        }

        @Override
        public void removeTask(RemoveTaskRequest request, StreamObserver<RemoveTaskResponse> observer) {
            answer("RemoveTask", request, observer, r -> RemoveTaskResponse.getDefaultInstance());
        }

        @Override
        public void getService(GetServiceRequest request, StreamObserver<GetServiceResponse> observer) {
            answer("GetService", request, observer, r -> GetServiceResponse.newBuilder()
                    .setService(byId(services, dev.swarmkit.api.Service::getId, r.getServiceId(), "service"))
                    .build());
        }

        @Override
        public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> observer) {
            answer("ListServices", request, observer, r -> ListServicesResponse.newBuilder().addAllServices(
                    filter(services, dev.swarmkit.api.Service::getId, s -> s.getSpec().getAnnotations().getName(),
                            r.getFilters().getNamesList(), r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void createService(CreateServiceRequest request, StreamObserver<CreateServiceResponse> observer) {
            answer("CreateService", request, observer, r -> CreateServiceResponse.newBuilder()
                    .setService(dev.swarmkit.api.Service.newBuilder().setId("newserviceid0000000000000")
                            .setSpec(r.getSpec())).build());
        }

        @Override
        public void updateService(UpdateServiceRequest request, StreamObserver<UpdateServiceResponse> observer) {
            answer("UpdateService", request, observer, r -> UpdateServiceResponse.newBuilder()
                    .setService(byId(services, dev.swarmkit.api.Service::getId, r.getServiceId(), "service")
                            .toBuilder().setSpec(r.getSpec())).build());
        }

        @Override
        public void removeService(RemoveServiceRequest request, StreamObserver<RemoveServiceResponse> observer) {
            answer("RemoveService", request, observer, r -> RemoveServiceResponse.getDefaultInstance());
        }

        @Override
        public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> observer) {
            answer("GetCluster", request, observer, r -> GetClusterResponse.newBuilder()
                    .setCluster(byId(clusters, Cluster::getId, r.getClusterId(), "cluster")).build());
        }

        @Override
        public void listClusters(ListClustersRequest request, StreamObserver<ListClustersResponse> observer) {
            answer("ListClusters", request, observer, r -> ListClustersResponse.newBuilder().addAllClusters(
                    filter(clusters, Cluster::getId, c -> c.getSpec().getAnnotations().getName(),
                            r.getFilters().getNamesList(), r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void updateCluster(UpdateClusterRequest request, StreamObserver<UpdateClusterResponse> observer) {
            answer("UpdateCluster", request, observer, r -> UpdateClusterResponse.newBuilder()
                    .setCluster(byId(clusters, Cluster::getId, r.getClusterId(), "cluster").toBuilder()
                            .setSpec(r.getSpec())).build());
        }

        @Override
        public void getNetwork(GetNetworkRequest request, StreamObserver<GetNetworkResponse> observer) {
            answer("GetNetwork", request, observer, r -> GetNetworkResponse.newBuilder()
                    .setNetwork(byId(networks, Network::getId, r.getNetworkId(), "network")).build());
        }

        @Override
        public void listNetworks(ListNetworksRequest request, StreamObserver<ListNetworksResponse> observer) {
            answer("ListNetworks", request, observer, r -> ListNetworksResponse.newBuilder().addAllNetworks(
                    filter(networks, Network::getId, n -> n.getSpec().getAnnotations().getName(),
                            r.getFilters().getNamesList(), r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void createNetwork(CreateNetworkRequest request, StreamObserver<CreateNetworkResponse> observer) {
            answer("CreateNetwork", request, observer, r -> CreateNetworkResponse.newBuilder()
                    .setNetwork(Network.newBuilder().setId("newnetworkid0000000000000").setSpec(r.getSpec()))
                    .build());
        }

        @Override
        public void getSecret(GetSecretRequest request, StreamObserver<GetSecretResponse> observer) {
            answer("GetSecret", request, observer, r -> GetSecretResponse.newBuilder()
                    .setSecret(byId(secrets, Secret::getId, r.getSecretId(), "secret")).build());
        }

        @Override
        public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> observer) {
            answer("ListSecrets", request, observer, r -> ListSecretsResponse.newBuilder().addAllSecrets(
                    filter(secrets, Secret::getId, s -> s.getSpec().getAnnotations().getName(),
                            r.getFilters().getNamesList(), r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void createSecret(CreateSecretRequest request, StreamObserver<CreateSecretResponse> observer) {
            answer("CreateSecret", request, observer, r -> CreateSecretResponse.newBuilder()
                    .setSecret(Secret.newBuilder().setId("newsecretid00000000000000").setSpec(r.getSpec()))
                    .build());
        }

        @Override
        public void getConfig(GetConfigRequest request, StreamObserver<GetConfigResponse> observer) {
            answer("GetConfig", request, observer, r -> GetConfigResponse.newBuilder()
                    .setConfig(byId(configs, dev.swarmkit.api.Config::getId, r.getConfigId(), "config")).build());
        }

        @Override
        public void listConfigs(ListConfigsRequest request, StreamObserver<ListConfigsResponse> observer) {
            answer("ListConfigs", request, observer, r -> ListConfigsResponse.newBuilder().addAllConfigs(
                    filter(configs, dev.swarmkit.api.Config::getId, c -> c.getSpec().getAnnotations().getName(),
                            r.getFilters().getNamesList(), r.getFilters().getIdPrefixesList())).build());
        }

        @Override
        public void createConfig(CreateConfigRequest request, StreamObserver<CreateConfigResponse> observer) {
            answer("CreateConfig", request, observer, r -> CreateConfigResponse.newBuilder()
                    .setConfig(dev.swarmkit.api.Config.newBuilder().setId("newconfigid00000000000000")
                            .setSpec(r.getSpec())).build());
        }
    }

    private final class Ca extends CAGrpc.CAImplBase {
        @Override
        public void getUnlockKey(GetUnlockKeyRequest request, StreamObserver<GetUnlockKeyResponse> observer) {
            answer("GetUnlockKey", request, observer,
                    r -> GetUnlockKeyResponse.newBuilder().setUnlockKey(unlockKey).build());
        }
    }

    private final class Logs extends LogsGrpc.LogsImplBase {
        @Override
        public void subscribeLogs(SubscribeLogsRequest request, StreamObserver<SubscribeLogsMessage> observer) {
            requests.add(request);
            for (LogMessage message : logs) {
                observer.onNext(SubscribeLogsMessage.newBuilder().addMessages(message).build());
            }
            observer.onCompleted();
        }
    }
}
