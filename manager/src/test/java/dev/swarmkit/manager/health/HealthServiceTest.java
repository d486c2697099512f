package dev.swarmkit.manager.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.HealthCheckRequest;
import dev.swarmkit.api.HealthCheckResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthServiceTest {

  private static final class Recorder implements StreamObserver<HealthCheckResponse> {
    final List<HealthCheckResponse> values = new ArrayList<>();
    Throwable error;

    @Override
    public void onNext(HealthCheckResponse value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }

  @Test
  void theServerAsAWholeIsServing() {
    Recorder r = new Recorder();
    new HealthService().check(HealthCheckRequest.getDefaultInstance(), r);
    assertThat(r.values).extracting(HealthCheckResponse::getStatus)
        .containsExactly(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void aNamedServiceReportsItsStatusAndUnknownNamesAreNotFound() {
    HealthService health = new HealthService();
    health.setServingStatus("Raft", HealthCheckResponse.ServingStatus.NOT_SERVING);
    Recorder raft = new Recorder();
    health.check(HealthCheckRequest.newBuilder().setService("Raft").build(), raft);
    assertThat(raft.values.get(0).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);

    Recorder unknown = new Recorder();
    health.check(HealthCheckRequest.newBuilder().setService("Nope").build(), unknown);
    assertThat(unknown.values).isEmpty();
    assertThat(Status.fromThrowable(unknown.error).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(unknown.error).isInstanceOf(StatusRuntimeException.class);
  }
}
