package dev.swarmkit.manager;

import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.ForwardedCaller;
import dev.swarmkit.ca.NodeIdentity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.Supplier;

/**
 * Calls on the control socket come from whoever may open the socket file, so they act as this
 * manager's own node (upstream's LocalRequestKey): role, cluster and node ID of its certificate, and
 * its remote API address. A follower relays them to the leader with that identity.
 */
final class LocalCaller implements ServerInterceptor {

  private final Supplier<NodeIdentity> self;
  private final String address;

  LocalCaller(Supplier<NodeIdentity> self, String address) {
    this.self = self;
    this.address = address;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    Context context = Context.current()
        .withValue(CallerIdentity.KEY, self.get())
        .withValue(ForwardedCaller.ADDRESS, address);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
