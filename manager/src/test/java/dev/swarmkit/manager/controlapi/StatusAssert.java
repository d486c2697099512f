package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the gRPC status a call fails with. */
final class StatusAssert {

  private StatusAssert() {}

  static void assertFails(ThrowingCallable call, Status.Code code, String message) {
    StatusRuntimeException e = catchThrowableOfType(call, StatusRuntimeException.class);
    assertThat(e).as("call should fail with %s", code).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).isEqualTo(message);
  }

  static void assertFails(ThrowingCallable call, Status.Code code) {
    StatusRuntimeException e = catchThrowableOfType(call, StatusRuntimeException.class);
    assertThat(e).as("call should fail with %s", code).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(code);
  }
}
