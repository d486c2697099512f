package dev.swarmkit.manager;

import io.grpc.BindableService;
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
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves a leader-only service on every manager: on the leader calls run locally, on a follower they
 * are relayed, message by message, to the leader's remote API (upstream's raft proxy). The relayed
 * call is authenticated with this manager's certificate, so only services that do not depend on the
 * original caller's identity (Control, Watch, Logs) are forwarded this way.
 */
public final class LeaderForwarding {

  private final BooleanSupplier isLeader;
  private final Supplier<Optional<ManagedChannel>> leaderChannel;

  public LeaderForwarding(BooleanSupplier isLeader, Supplier<Optional<ManagedChannel>> leaderChannel) {
    this.isLeader = isLeader;
    this.leaderChannel = leaderChannel;
  }

  public ServerServiceDefinition wrap(BindableService service) {
    ServerServiceDefinition local = service.bindService();
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(local.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : local.getMethods()) {
      builder.addMethod(forwarding(method));
    }
    return builder.build();
  }

  private <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> forwarding(ServerMethodDefinition<ReqT, RespT> method) {
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
      return relay(call, channel.get());
    };
    return ServerMethodDefinition.create(method.getMethodDescriptor(), handler);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> relay(ServerCall<ReqT, RespT> serverCall,
      ManagedChannel channel) {
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
    }, new Metadata());
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
