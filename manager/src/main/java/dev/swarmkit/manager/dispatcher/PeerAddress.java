package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.ca.ForwardedCaller;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Puts the caller's IP address into the gRPC context so the dispatcher can record it as the node's
 * {@code status.addr} (upstream takes it from the TLS peer).
 */
final class PeerAddress implements ServerInterceptor {

  static final Context.Key<String> KEY = Context.key("swarmkit-peer-ip");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String ip = "";
    String forwarded = ForwardedCaller.ADDRESS.get();
    if (forwarded != null && !forwarded.isEmpty()) {
      // relayed by a follower: the original node's address, as "host:port"
      int colon = forwarded.lastIndexOf(':');
      ip = colon > 0 ? forwarded.substring(0, colon) : forwarded;
    } else if (remote instanceof InetSocketAddress inet) {
      ip = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return Contexts.interceptCall(Context.current().withValue(KEY, ip), call, headers, next);
  }

  /** The current call's peer IP, empty if unknown. */
  static String current() {
    String ip = KEY.get();
    return ip == null ? "" : ip;
  }
}
