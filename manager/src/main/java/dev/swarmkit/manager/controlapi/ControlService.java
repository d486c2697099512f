package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateConfigResponse;
import dev.swarmkit.api.CreateExtensionRequest;
import dev.swarmkit.api.CreateExtensionResponse;
import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.CreateNetworkResponse;
import dev.swarmkit.api.CreateResourceRequest;
import dev.swarmkit.api.CreateResourceResponse;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateSecretResponse;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.CreateServiceResponse;
import dev.swarmkit.api.CreateVolumeRequest;
import dev.swarmkit.api.CreateVolumeResponse;
import dev.swarmkit.api.GetClusterRequest;
import dev.swarmkit.api.GetClusterResponse;
import dev.swarmkit.api.GetConfigRequest;
import dev.swarmkit.api.GetConfigResponse;
import dev.swarmkit.api.GetExtensionRequest;
import dev.swarmkit.api.GetExtensionResponse;
import dev.swarmkit.api.GetNetworkRequest;
import dev.swarmkit.api.GetNetworkResponse;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.GetNodeResponse;
import dev.swarmkit.api.GetResourceRequest;
import dev.swarmkit.api.GetResourceResponse;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.GetSecretResponse;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetServiceResponse;
import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.GetTaskResponse;
import dev.swarmkit.api.GetVolumeRequest;
import dev.swarmkit.api.GetVolumeResponse;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListClustersResponse;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListConfigsResponse;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.ListNetworksResponse;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListNodesResponse;
import dev.swarmkit.api.ListResourcesRequest;
import dev.swarmkit.api.ListResourcesResponse;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.ListSecretsResponse;
import dev.swarmkit.api.ListServiceStatusesRequest;
import dev.swarmkit.api.ListServiceStatusesResponse;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListServicesResponse;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.ListTasksResponse;
import dev.swarmkit.api.ListVolumesRequest;
import dev.swarmkit.api.ListVolumesResponse;
import dev.swarmkit.api.RemoveConfigRequest;
import dev.swarmkit.api.RemoveConfigResponse;
import dev.swarmkit.api.RemoveExtensionRequest;
import dev.swarmkit.api.RemoveExtensionResponse;
import dev.swarmkit.api.RemoveNetworkRequest;
import dev.swarmkit.api.RemoveNetworkResponse;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.RemoveNodeResponse;
import dev.swarmkit.api.RemoveResourceRequest;
import dev.swarmkit.api.RemoveResourceResponse;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.RemoveSecretResponse;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.RemoveServiceResponse;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.RemoveTaskResponse;
import dev.swarmkit.api.RemoveVolumeRequest;
import dev.swarmkit.api.RemoveVolumeResponse;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.UpdateClusterResponse;
import dev.swarmkit.api.UpdateConfigRequest;
import dev.swarmkit.api.UpdateConfigResponse;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.api.UpdateNodeResponse;
import dev.swarmkit.api.UpdateResourceRequest;
import dev.swarmkit.api.UpdateResourceResponse;
import dev.swarmkit.api.UpdateSecretRequest;
import dev.swarmkit.api.UpdateSecretResponse;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.api.UpdateServiceResponse;
import dev.swarmkit.api.UpdateVolumeRequest;
import dev.swarmkit.api.UpdateVolumeResponse;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The docker.swarmkit.v1.Control service: every RPC reads or changes the store, validating its input
 * as upstream does. Each object kind's RPCs live in their own class; this one only maps their
 * results and failures onto gRPC.
 */
public final class ControlService extends ControlGrpc.ControlImplBase {

  private static final Logger log = LoggerFactory.getLogger(ControlService.class);

  private final NodeApi nodes;
  private final TaskApi tasks;
  private final ServiceApi services;
  private final NetworkApi networks;
  private final ClusterApi clusters;
  private final SecretApi secrets;
  private final ConfigApi configs;
  private final ExtensionApi extensions;
  private final ResourceApi resources;
  private final VolumeApi volumes;

  /**
   * @param store the cluster store
   * @param raft the Raft membership, for manager status and safe demotion/removal
   * @param tokens join token and unlock key generation for UpdateCluster rotations
   * @param rootCa the CA configuration check applied on UpdateCluster
   * @param networkDrivers the network/IPAM driver check applied on CreateNetwork
   */
  public ControlService(Store store, RaftMembershipView raft, ClusterTokenRotator tokens,
      RootCaReconciler rootCa, NetworkDriverValidator networkDrivers) {
    this.nodes = new NodeApi(store, raft);
    this.tasks = new TaskApi(store);
    this.services = new ServiceApi(store);
    this.networks = new NetworkApi(store, networkDrivers);
    this.clusters = new ClusterApi(store, tokens, rootCa);
    this.secrets = new SecretApi(store);
    this.configs = new ConfigApi(store);
    this.extensions = new ExtensionApi(store);
    this.resources = new ResourceApi(store);
    this.volumes = new VolumeApi(store);
  }

  /**
   * The service as managers serve it: malformed requests are refused with INVALID_ARGUMENT and long
   * error descriptions cut short ({@link RequestGuard}).
   */
  public io.grpc.ServerServiceDefinition definition() {
    return RequestGuard.guard(bindService());
  }

  /** Runs one RPC and reports its result, or its failure as a gRPC status. */
  private static <R> void unary(StreamObserver<R> response, Supplier<R> call) {
    R result;
    try {
      result = call.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (StoreException e) {
      response.onError(ApiErrors.fromStore(e));
      return;
    } catch (RuntimeException e) {
      log.error("control API call failed", e);
      response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).withCause(e)
          .asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  @Override
  public void getNode(GetNodeRequest request, StreamObserver<GetNodeResponse> response) {
    unary(response, () -> nodes.get(request));
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    unary(response, () -> nodes.list(request));
  }

  @Override
  public void updateNode(UpdateNodeRequest request, StreamObserver<UpdateNodeResponse> response) {
    unary(response, () -> nodes.update(request));
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> response) {
    unary(response, () -> nodes.remove(request));
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
    unary(response, () -> tasks.get(request));
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
    unary(response, () -> tasks.list(request));
  }

  @Override
  public void removeTask(RemoveTaskRequest request, StreamObserver<RemoveTaskResponse> response) {
    unary(response, () -> tasks.remove(request));
  }

  @Override
  public void getService(GetServiceRequest request, StreamObserver<GetServiceResponse> response) {
    unary(response, () -> services.get(request));
  }

  @Override
  public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> response) {
    unary(response, () -> services.list(request));
  }

  @Override
  public void createService(CreateServiceRequest request, StreamObserver<CreateServiceResponse> response) {
    unary(response, () -> services.create(request));
  }

  @Override
  public void updateService(UpdateServiceRequest request, StreamObserver<UpdateServiceResponse> response) {
    unary(response, () -> services.update(request));
  }

  @Override
  public void removeService(RemoveServiceRequest request, StreamObserver<RemoveServiceResponse> response) {
    unary(response, () -> services.remove(request));
  }

  @Override
  public void listServiceStatuses(ListServiceStatusesRequest request, StreamObserver<ListServiceStatusesResponse> response) {
    unary(response, () -> services.listStatuses(request));
  }

  @Override
  public void getNetwork(GetNetworkRequest request, StreamObserver<GetNetworkResponse> response) {
    unary(response, () -> networks.get(request));
  }

  @Override
  public void listNetworks(ListNetworksRequest request, StreamObserver<ListNetworksResponse> response) {
    unary(response, () -> networks.list(request));
  }

  @Override
  public void createNetwork(CreateNetworkRequest request, StreamObserver<CreateNetworkResponse> response) {
    unary(response, () -> networks.create(request));
  }

  @Override
  public void removeNetwork(RemoveNetworkRequest request, StreamObserver<RemoveNetworkResponse> response) {
    unary(response, () -> networks.remove(request));
  }

  @Override
  public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> response) {
    unary(response, () -> clusters.get(request));
  }

  @Override
  public void listClusters(ListClustersRequest request, StreamObserver<ListClustersResponse> response) {
    unary(response, () -> clusters.list(request));
  }

  @Override
  public void updateCluster(UpdateClusterRequest request, StreamObserver<UpdateClusterResponse> response) {
    unary(response, () -> clusters.update(request));
  }

  @Override
  public void getSecret(GetSecretRequest request, StreamObserver<GetSecretResponse> response) {
    unary(response, () -> secrets.get(request));
  }

  @Override
  public void updateSecret(UpdateSecretRequest request, StreamObserver<UpdateSecretResponse> response) {
    unary(response, () -> secrets.update(request));
  }

  @Override
  public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> response) {
    unary(response, () -> secrets.list(request));
  }

  @Override
  public void createSecret(CreateSecretRequest request, StreamObserver<CreateSecretResponse> response) {
    unary(response, () -> secrets.create(request));
  }

  @Override
  public void removeSecret(RemoveSecretRequest request, StreamObserver<RemoveSecretResponse> response) {
    unary(response, () -> secrets.remove(request));
  }

  @Override
  public void getConfig(GetConfigRequest request, StreamObserver<GetConfigResponse> response) {
    unary(response, () -> configs.get(request));
  }

  @Override
  public void updateConfig(UpdateConfigRequest request, StreamObserver<UpdateConfigResponse> response) {
    unary(response, () -> configs.update(request));
  }

  @Override
  public void listConfigs(ListConfigsRequest request, StreamObserver<ListConfigsResponse> response) {
    unary(response, () -> configs.list(request));
  }

  @Override
  public void createConfig(CreateConfigRequest request, StreamObserver<CreateConfigResponse> response) {
    unary(response, () -> configs.create(request));
  }

  @Override
  public void removeConfig(RemoveConfigRequest request, StreamObserver<RemoveConfigResponse> response) {
    unary(response, () -> configs.remove(request));
  }

  @Override
  public void getExtension(GetExtensionRequest request, StreamObserver<GetExtensionResponse> response) {
    unary(response, () -> extensions.get(request));
  }

  @Override
  public void createExtension(CreateExtensionRequest request, StreamObserver<CreateExtensionResponse> response) {
    unary(response, () -> extensions.create(request));
  }

  @Override
  public void removeExtension(RemoveExtensionRequest request, StreamObserver<RemoveExtensionResponse> response) {
    unary(response, () -> extensions.remove(request));
  }

  @Override
  public void getResource(GetResourceRequest request, StreamObserver<GetResourceResponse> response) {
    unary(response, () -> resources.get(request));
  }

  @Override
  public void updateResource(UpdateResourceRequest request, StreamObserver<UpdateResourceResponse> response) {
    unary(response, () -> resources.update(request));
  }

  @Override
  public void listResources(ListResourcesRequest request, StreamObserver<ListResourcesResponse> response) {
    unary(response, () -> resources.list(request));
  }

  @Override
  public void createResource(CreateResourceRequest request, StreamObserver<CreateResourceResponse> response) {
    unary(response, () -> resources.create(request));
  }

  @Override
  public void removeResource(RemoveResourceRequest request, StreamObserver<RemoveResourceResponse> response) {
    unary(response, () -> resources.remove(request));
  }

  @Override
  public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> response) {
    unary(response, () -> volumes.create(request));
  }

  @Override
  public void getVolume(GetVolumeRequest request, StreamObserver<GetVolumeResponse> response) {
    unary(response, () -> volumes.get(request));
  }

  @Override
  public void updateVolume(UpdateVolumeRequest request, StreamObserver<UpdateVolumeResponse> response) {
    unary(response, () -> volumes.update(request));
  }

  @Override
  public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> response) {
    unary(response, () -> volumes.list(request));
  }

  @Override
  public void removeVolume(RemoveVolumeRequest request, StreamObserver<RemoveVolumeResponse> response) {
    unary(response, () -> volumes.remove(request));
  }
}
