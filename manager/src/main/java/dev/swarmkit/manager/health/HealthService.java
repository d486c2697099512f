package dev.swarmkit.manager.health;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import dev.swarmkit.api.HealthGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docker.swarmkit.v1.Health (upstream manager/health): the serving status of named services, ""
 * meaning the server as a whole. Unknown names are NOT_FOUND, as in gRPC's health protocol.
 */
public final class HealthService extends HealthGrpc.HealthImplBase {

  private final Map<String, HealthCheckResponse.ServingStatus> statuses = new ConcurrentHashMap<>();

  public HealthService() {
    statuses.put("", HealthCheckResponse.ServingStatus.SERVING);
  }

  public void setServingStatus(String service, HealthCheckResponse.ServingStatus status) {
    statuses.put(service, status);
  }

  @Override
  public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
    HealthCheckResponse.ServingStatus status = statuses.get(request.getService());
    if (status == null) {
      response.onError(Status.NOT_FOUND.withDescription("unknown service " + request.getService())
          .asRuntimeException());
      return;
    }
    response.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
    response.onCompleted();
  }
}
