package dev.swarmkit.ca;

import io.grpc.Context;
import java.util.Optional;

/**
 * The verified identity of the node calling the current gRPC method, put into the {@link Context} by
 * {@link AuthorizationInterceptor}. Present on secure methods always, and on insecure methods when
 * the caller presented a valid certificate of this cluster.
 */
public final class CallerIdentity {

  public static final Context.Key<NodeIdentity> KEY = Context.key("swarm-caller-identity");

  private CallerIdentity() {}

  /** The caller of the current call, if it presented a valid certificate. */
  public static Optional<NodeIdentity> current() {
    return Optional.ofNullable(KEY.get());
  }
}
