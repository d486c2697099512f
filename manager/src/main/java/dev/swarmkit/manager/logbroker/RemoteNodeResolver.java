package dev.swarmkit.manager.logbroker;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusException;

/**
 * Tells which node is calling: workers may only publish logs as themselves (upstream reads the
 * node ID from the caller's TLS certificate). Called on the gRPC handler thread, where the call's
 * {@link Context} is current.
 */
@FunctionalInterface
public interface RemoteNodeResolver {

  /** The calling node's ID; fails with PERMISSION_DENIED when the caller has no node identity. */
  String nodeId() throws StatusException;

  /** Reads the node ID from a context key that an authenticating server interceptor sets. */
  static RemoteNodeResolver fromContext(Context.Key<String> key) {
    return () -> {
      String id = key.get();
      if (id == null || id.isEmpty()) {
        throw Status.PERMISSION_DENIED.withDescription("remote node identity is not available").asException();
      }
      return id;
    };
  }
}
