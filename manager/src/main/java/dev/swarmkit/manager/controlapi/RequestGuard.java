package dev.swarmkit.manager.controlapi;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Guards a gRPC service against hostile requests. gRPC answers a request body that does not parse
 * (random bytes, strings that are not UTF-8, groups nested past the parser's limit) with UNKNOWN
 * "Application error processing RPC"; here the body is parsed by the handler and refused with
 * INVALID_ARGUMENT. Error descriptions that echo a huge input are cut short, as a client refuses
 * trailers above its header limit (8 KiB by default) and would see INTERNAL instead.
 */
public final class RequestGuard {

  /** Longest status description sent; upstream's messages are far shorter unless they echo input. */
  static final int MAX_DESCRIPTION = 2048;

  private RequestGuard() {}

  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      builder.addMethod(guard(method));
    }
    return builder.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<byte[], RespT> guard(ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> typed = method.getMethodDescriptor();
    MethodDescriptor<byte[], RespT> raw = typed.toBuilder(RawBytes.INSTANCE, typed.getResponseMarshaller()).build();
    ServerCallHandler<ReqT, RespT> handler = method.getServerCallHandler();
    ServerCallHandler<byte[], RespT> guarded = (call, headers) -> {
      TypedCall<ReqT, RespT> view = new TypedCall<>(call, typed);
      ServerCall.Listener<ReqT> delegate = handler.startCall(view, headers);
      return new ServerCall.Listener<>() {
        private boolean refused;

        @Override
        public void onMessage(byte[] body) {
          if (refused) {
            return;
          }
          ReqT request;
          try {
            request = typed.parseRequest(new ByteArrayInputStream(body));
          } catch (RuntimeException e) {
            refused = true;
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            view.close(Status.INVALID_ARGUMENT.withDescription("malformed " + typed.getBareMethodName()
                + " request: " + cause.getMessage()), new Metadata());
            return;
          }
          delegate.onMessage(request);
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            delegate.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          delegate.onCancel();
        }

        @Override
        public void onComplete() {
          delegate.onComplete();
        }

        @Override
        public void onReady() {
          if (!refused) {
            delegate.onReady();
          }
        }
      };
    };
    return ServerMethodDefinition.create(raw, guarded);
  }

  static Status shorten(Status status) {
    String d = status.getDescription();
    if (d == null || d.length() <= MAX_DESCRIPTION) {
      return status;
    }
    return status.withDescription(d.substring(0, MAX_DESCRIPTION) + "... (" + d.length() + " characters, cut)");
  }

  /** The call as the typed handler sees it: same stream, the typed method descriptor. */
  private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<byte[], RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;
    private boolean closed;

    TypedCall(ServerCall<byte[], RespT> call, MethodDescriptor<ReqT, RespT> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      call.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return; // refused already; the handler may still try to answer
      }
      closed = true;
      call.close(shorten(status), trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }

  /** Request bodies as they came off the wire. */
  private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read request", e);
      }
    }
  }
}
