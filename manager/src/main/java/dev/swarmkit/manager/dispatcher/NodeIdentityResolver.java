package dev.swarmkit.manager.dispatcher;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Tells the dispatcher which node is calling. In production this reads the identity the CA's TLS
 * interceptor put into the gRPC {@link Context}; tests inject their own.
 */
@FunctionalInterface
public interface NodeIdentityResolver {

  /**
   * The calling node's ID.
   *
   * @throws StatusRuntimeException (usually PERMISSION_DENIED) when the caller has no node identity
   */
  String nodeId(Context context);

  /** Reads the node ID from a context key; callers without one are denied. */
  static NodeIdentityResolver fromContextKey(Context.Key<String> key) {
    return context -> {
      String id = key.get(context);
      if (id == null || id.isEmpty()) {
        throw new StatusRuntimeException(
            Status.PERMISSION_DENIED.withDescription("no node identity in the request"));
      }
      return id;
    };
  }
}
