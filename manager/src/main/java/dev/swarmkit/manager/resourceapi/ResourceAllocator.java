package dev.swarmkit.manager.resourceapi;

import com.google.protobuf.Timestamp;
import dev.swarmkit.api.AttachNetworkRequest;
import dev.swarmkit.api.AttachNetworkResponse;
import dev.swarmkit.api.DetachNetworkRequest;
import dev.swarmkit.api.DetachNetworkResponse;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NetworkAttachmentSpec;
import dev.swarmkit.api.ResourceAllocatorGrpc;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * docker.swarmkit.v1.ResourceAllocator (upstream manager/resourceapi): a node asks for an attachment
 * of a container to an attachable network, which is a task of the network-attachment kind on that
 * node; detaching deletes it. The caller is the node of the calling certificate (or, on the control
 * socket, this manager's node).
 */
public final class ResourceAllocator extends ResourceAllocatorGrpc.ResourceAllocatorImplBase {

  private final Store store;

  public ResourceAllocator(Store store) {
    this.store = store;
  }

  @Override
  public void attachNetwork(AttachNetworkRequest request, StreamObserver<AttachNetworkResponse> response) {
    respond(response, () -> {
      NodeIdentity caller = caller();
      String target = request.getConfig().getTarget();
      Network network = store.view(tx -> tx.get(Table.NETWORKS, target).or(() -> {
        List<Network> named = tx.find(Table.NETWORKS, By.name(target));
        return named.size() == 1 ? Optional.of(named.get(0)) : Optional.empty();
      })).orElseThrow(() -> Status.NOT_FOUND.withDescription("network " + target + " not found").asRuntimeException());
      if (!network.getSpec().getAttachable()) {
        throw Status.PERMISSION_DENIED.withDescription("network " + target + " not manually attachable")
            .asRuntimeException();
      }
      Instant now = Instant.now();
      Task task = Task.newBuilder()
          .setId(Identity.newId())
          .setNodeId(caller.nodeId())
          .setSpec(TaskSpec.newBuilder()
              .setAttachment(NetworkAttachmentSpec.newBuilder().setContainerId(request.getContainerId()))
              .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(network.getId())
                  .addAllAddresses(request.getConfig().getAddressesList())))
          .setStatus(TaskStatus.newBuilder().setState(TaskState.NEW).setMessage("created")
              .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano())))
          .setDesiredState(TaskState.RUNNING)
          .build();
      store.update(tx -> tx.create(Table.TASKS, task));
      return AttachNetworkResponse.newBuilder().setAttachmentId(task.getId()).build();
    });
  }

  @Override
  public void detachNetwork(DetachNetworkRequest request, StreamObserver<DetachNetworkResponse> response) {
    respond(response, () -> {
      if (request.getAttachmentId().isEmpty()) {
        throw Status.INVALID_ARGUMENT.withDescription("invalid argument").asRuntimeException();
      }
      NodeIdentity caller = caller();
      store.update(tx -> {
        Task task = tx.get(Table.TASKS, request.getAttachmentId()).orElseThrow(() -> Status.NOT_FOUND
            .withDescription("attachment " + request.getAttachmentId() + " not found").asRuntimeException());
        if (!task.getNodeId().equals(caller.nodeId())) {
          throw Status.PERMISSION_DENIED.withDescription(
              "attachment " + request.getAttachmentId() + " doesn't belong to this node").asRuntimeException();
        }
        tx.delete(Table.TASKS, task.getId());
      });
      return DetachNetworkResponse.getDefaultInstance();
    });
  }

  private static NodeIdentity caller() {
    return CallerIdentity.current().orElseThrow(() ->
        Status.PERMISSION_DENIED.withDescription("Permission denied: no client certificates in request")
            .asRuntimeException());
  }

  private interface Call<T> {
    T get() throws StoreException;
  }

  private static <T> void respond(StreamObserver<T> response, Call<T> call) {
    try {
      response.onNext(call.get());
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    } catch (StoreException e) {
      response.onError(dev.swarmkit.manager.controlapi.ApiErrors.fromStore(e));
    }
  }
}
