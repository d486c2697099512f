package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the gRPC status a call fails with. */
final class StatusAssert {

  private StatusAssert() {}

  private static StatusRuntimeException failure(ThrowingCallable call, Status.Code code) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("call should fail with %s", code).isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) thrown;
  }

  static void assertFails(ThrowingCallable call, Status.Code code, String message) {
    StatusRuntimeException e = failure(call, code);
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).isEqualTo(message);
  }

  static void assertFails(ThrowingCallable call, Status.Code code) {
    StatusRuntimeException e = failure(call, code);
    assertThat(e.getStatus().getCode()).isEqualTo(code);
  }
}
