package dev.swarmkit.manager.controlapi;

import dev.swarmkit.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** gRPC status errors of the control API, and the mapping of store failures onto them. */
public final class ApiErrors {

  /** Upstream's generic message for a missing or malformed request field. */
  static final String INVALID_ARGUMENT = "invalid argument";

  private ApiErrors() {}

  static StatusRuntimeException invalidArgument(String format, Object... args) {
    return error(Status.INVALID_ARGUMENT, format, args);
  }

  static StatusRuntimeException notFound(String format, Object... args) {
    return error(Status.NOT_FOUND, format, args);
  }

  static StatusRuntimeException failedPrecondition(String format, Object... args) {
    return error(Status.FAILED_PRECONDITION, format, args);
  }

  static StatusRuntimeException alreadyExists(String format, Object... args) {
    return error(Status.ALREADY_EXISTS, format, args);
  }

  static StatusRuntimeException unimplemented(String format, Object... args) {
    return error(Status.UNIMPLEMENTED, format, args);
  }

  static StatusRuntimeException permissionDenied(String format, Object... args) {
    return error(Status.PERMISSION_DENIED, format, args);
  }

  static StatusRuntimeException internal(String format, Object... args) {
    return error(Status.INTERNAL, format, args);
  }

  private static StatusRuntimeException error(Status status, String format, Object... args) {
    String message = args.length == 0 ? format : String.format(format, args);
    return status.withDescription(message).asRuntimeException();
  }

  /** The status a store failure is reported with when no RPC-specific wording applies. */
  public static StatusRuntimeException fromStore(StoreException e) {
    Status status;
    if (e instanceof StoreException.NotFound) {
      status = Status.NOT_FOUND;
    } else if (e instanceof StoreException.AlreadyExists) {
      status = Status.ALREADY_EXISTS;
    } else if (e instanceof StoreException.SequenceConflict || e instanceof StoreException.NoKind) {
      status = Status.INVALID_ARGUMENT;
    } else if (e instanceof StoreException.FailedPrecondition) {
      status = Status.FAILED_PRECONDITION;
    } else if (e instanceof StoreException.NotLeader || e instanceof StoreException.Closed
        || e instanceof StoreException.Unavailable) {
      status = Status.UNAVAILABLE;
    } else if (e instanceof StoreException.TransactionTooLarge
        || e instanceof StoreException.WatcherTooSlow) {
      status = Status.RESOURCE_EXHAUSTED;
    } else if (e instanceof StoreException.VersionTooOld) {
      status = Status.OUT_OF_RANGE;
    } else {
      status = Status.INTERNAL;
    }
    return status.withDescription(e.getMessage()).withCause(e).asRuntimeException();
  }
}
