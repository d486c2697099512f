package dev.swarmkit.manager;

import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.ForwardedCaller;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves a leader-only service on every manager: on the leader calls run locally, on a follower they
 * are relayed, message by message, to the leader's remote API (upstream's raft proxy). The relayed
 * call is authenticated with this manager's certificate; services that depend on the original
 * caller's identity (the dispatcher, the node CA) are wrapped with {@link #wrapForwardingCaller}, which
 * also sends the caller's identity (blank when it presented no certificate) and address for the
 * leader to authorize.
 */
public final class LeaderForwarding {

  private final BooleanSupplier isLeader;
  private final Supplier<Optional<ManagedChannel>> leaderChannel;

  public LeaderForwarding(BooleanSupplier isLeader, Supplier<Optional<ManagedChannel>> leaderChannel) {
    this.isLeader = isLeader;
    this.leaderChannel = leaderChannel;
  }

  public ServerServiceDefinition wrap(BindableService service) {
    return wrap(service.bindService(), false);
  }

  /** Relays with the original caller's identity (upstream's forwarded TLS info). */
  public ServerServiceDefinition wrapForwardingCaller(ServerServiceDefinition service) {
    return wrap(service, true, Set.of());
  }

  /**
   * Relays with the original caller's identity, except the methods named in {@code servedLocally}
   * (full method names) that any manager can answer from its own replica.
   */
  public ServerServiceDefinition wrapForwardingCaller(ServerServiceDefinition service, Set<String> servedLocally) {
    return wrap(service, true, servedLocally);
  }

  private ServerServiceDefinition wrap(ServerServiceDefinition local, boolean forwardCaller) {
    return wrap(local, forwardCaller, Set.of());
  }

  private ServerServiceDefinition wrap(ServerServiceDefinition local, boolean forwardCaller,
      Set<String> servedLocally) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(local.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : local.getMethods()) {
      if (servedLocally.contains(method.getMethodDescriptor().getFullMethodName())) {
        builder.addMethod(method);
      } else {
        builder.addMethod(forwarding(method, forwardCaller));
      }
    }
    return builder.build();
  }

  private <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> forwarding(ServerMethodDefinition<ReqT, RespT> method,
      boolean forwardCaller) {
    ServerCallHandler<ReqT, RespT> localHandler = method.getServerCallHandler();
    ServerCallHandler<ReqT, RespT> handler = (call, headers) -> {
      if (isLeader.getAsBoolean()) {
        return localHandler.startCall(call, headers);
      }
      Optional<ManagedChannel> channel = leaderChannel.get();
      if (channel.isEmpty()) {
        call.close(Status.UNAVAILABLE.withDescription("raft: no elected cluster leader"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      Metadata relayed = forwardCaller
          ? ForwardedCaller.headers(CallerIdentity.current(), remoteAddress(call))
          : new Metadata();
      return relay(call, channel.get(), relayed);
    };
    return ServerMethodDefinition.create(method.getMethodDescriptor(), handler);
  }

  private static String remoteAddress(ServerCall<?, ?> call) {
    java.net.SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof java.net.InetSocketAddress inet) {
      String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return host + ":" + inet.getPort();
    }
    return "";
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> relay(ServerCall<ReqT, RespT> serverCall,
      ManagedChannel channel, Metadata relayedHeaders) {
    ClientCall<ReqT, RespT> clientCall = channel.newCall(serverCall.getMethodDescriptor(), CallOptions.DEFAULT);
    clientCall.start(new ClientCall.Listener<>() {
      private boolean headersSent;

      @Override
      public void onHeaders(Metadata headers) {
        synchronized (serverCall) {
          serverCall.sendHeaders(new Metadata());
          headersSent = true;
        }
      }

      @Override
      public void onMessage(RespT message) {
        synchronized (serverCall) {
          if (!headersSent) {
            serverCall.sendHeaders(new Metadata());
            headersSent = true;
          }
          serverCall.sendMessage(message);
        }
        clientCall.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        synchronized (serverCall) {
          serverCall.close(status, trailers);
        }
      }
    }, relayedHeaders);
    clientCall.request(1);
    serverCall.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(ReqT message) {
        clientCall.sendMessage(message);
        serverCall.request(1);
      }

      @Override
      public void onHalfClose() {
        clientCall.halfClose();
      }

      @Override
      public void onCancel() {
        clientCall.cancel("caller cancelled", null);
      }
    };
  }
}
