package dev.swarmkit.manager.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * gRPC server metrics under the names and labels of go-grpc-prometheus, which upstream's managers
 * install on their remote and local servers (with the handling-time histogram enabled), so that
 * dashboards built for upstream work unchanged. Process-wide, like go-grpc-prometheus' default
 * metrics: one interceptor instance serves every server of the process.
 */
public final class GrpcServerMetrics implements ServerInterceptor {

  private static final String[] METHOD_LABELS = {"grpc_type", "grpc_service", "grpc_method"};

  private static final Counter STARTED = Counter.builder().name("grpc_server_started_total")
      .help("Total number of RPCs started on the server.").labelNames(METHOD_LABELS).register();
  private static final Counter HANDLED = Counter.builder().name("grpc_server_handled_total")
      .help("Total number of RPCs completed on the server, regardless of success or failure.")
      .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").register();
  private static final Counter RECEIVED = Counter.builder().name("grpc_server_msg_received_total")
      .help("Total number of RPC stream messages received on the server.").labelNames(METHOD_LABELS).register();
  private static final Counter SENT = Counter.builder().name("grpc_server_msg_sent_total")
      .help("Total number of gRPC stream messages sent by the server.").labelNames(METHOD_LABELS).register();
  private static final Histogram HANDLING = Histogram.builder().name("grpc_server_handling_seconds")
      .help("Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.")
      .labelNames(METHOD_LABELS).classicOnly().withoutExemplars().register();

  private static final GrpcServerMetrics INSTANCE = new GrpcServerMetrics();

  private GrpcServerMetrics() {}

  /** The interceptor to install on a server (ServerBuilder.intercept), outermost so refusals count. */
  public static GrpcServerMetrics interceptor() {
    return INSTANCE;
  }

  /**
   * Creates every method's series at zero, as go-grpc-prometheus' Register does, so a rate over a
   * method that has not been called yet is 0 rather than absent.
   */
  public static void initialize(List<ServerServiceDefinition> services) {
    for (ServerServiceDefinition service : services) {
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        String[] labels = labels(method.getMethodDescriptor());
        STARTED.labelValues(labels);
        RECEIVED.labelValues(labels);
        SENT.labelValues(labels);
        HANDLING.labelValues(labels);
        for (Status.Code code : Status.Code.values()) {
          HANDLED.labelValues(labels[0], labels[1], labels[2], GoCodes.name(code));
        }
      }
    }
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    String[] labels = labels(call.getMethodDescriptor());
    long start = System.nanoTime();
    STARTED.labelValues(labels).inc();
    AtomicBoolean closed = new AtomicBoolean();
    ServerCall<ReqT, RespT> monitored = new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(RespT message) {
        super.sendMessage(message);
        SENT.labelValues(labels).inc();
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (closed.compareAndSet(false, true)) {
          HANDLED.labelValues(labels[0], labels[1], labels[2], GoCodes.name(status.getCode())).inc();
          HANDLING.labelValues(labels).observe((System.nanoTime() - start) / 1e9);
        }
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(monitored, headers)) {
      @Override
      public void onMessage(ReqT message) {
        RECEIVED.labelValues(labels).inc();
        super.onMessage(message);
      }
    };
  }

  private static String[] labels(MethodDescriptor<?, ?> method) {
    String service = MethodDescriptor.extractFullServiceName(method.getFullMethodName());
    String bare = method.getBareMethodName();
    return new String[] {type(method.getType()), service == null ? "unknown" : service,
        bare == null ? method.getFullMethodName() : bare};
  }

  /** go-grpc-prometheus' grpc_type values. */
  static String type(MethodDescriptor.MethodType type) {
    return switch (type) {
      case UNARY -> "unary";
      case CLIENT_STREAMING -> "client_stream";
      case SERVER_STREAMING -> "server_stream";
      case BIDI_STREAMING -> "bidi_stream";
      case UNKNOWN -> "unknown";
    };
  }

  /** Status codes as Go's codes.Code.String() spells them (the grpc_code label of upstream). */
  static final class GoCodes {
    private GoCodes() {}

    static String name(Status.Code code) {
      return switch (code) {
        case OK -> "OK";
        case CANCELLED -> "Canceled";
        case UNKNOWN -> "Unknown";
        case INVALID_ARGUMENT -> "InvalidArgument";
        case DEADLINE_EXCEEDED -> "DeadlineExceeded";
        case NOT_FOUND -> "NotFound";
        case ALREADY_EXISTS -> "AlreadyExists";
        case PERMISSION_DENIED -> "PermissionDenied";
        case RESOURCE_EXHAUSTED -> "ResourceExhausted";
        case FAILED_PRECONDITION -> "FailedPrecondition";
        case ABORTED -> "Aborted";
        case OUT_OF_RANGE -> "OutOfRange";
        case UNIMPLEMENTED -> "Unimplemented";
        case INTERNAL -> "Internal";
        case UNAVAILABLE -> "Unavailable";
        case DATA_LOSS -> "DataLoss";
        case UNAUTHENTICATED -> "Unauthenticated";
      };
    }
  }
}
