package dev.swarmkit.manager;

import dev.swarmkit.ca.CallerIdentity;
import dev.swarmkit.ca.ForwardedCaller;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.ConnectivityState;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Serves a leader-only service on every manager: on the leader calls run locally, on a follower they
 * are relayed, message by message, to the leader's remote API (upstream's raft proxy). The relayed
 * call is authenticated with this manager's certificate; services that depend on the original
 * caller's identity (the dispatcher, the node CA) are wrapped with {@link #wrapForwardingCaller}, which
 * also sends the caller's identity (blank when it presented no certificate) and address for the
 * leader to authorize.
 */
public final class LeaderForwarding {

  /**
   * Request header asking a manager to answer a read (Control Get/List) from its own replica instead
   * of the leader's: possibly stale, but it shows what this manager holds (e.g. to compare replicas).
   */
  public static final Metadata.Key<String> LOCAL_READ =
      Metadata.Key.of("swarmkit-local-read", Metadata.ASCII_STRING_MARSHALLER);

  /** Where leader-only calls go, as Raft currently sees it. */
  public interface LeaderRoute {
    boolean isLeader();

    /** The channel to the leader's remote API when another manager leads and is known. */
    Optional<ManagedChannel> leaderChannel();

    /** Why no leader can take the call (no leader elected, quorum lost), worded for an operator. */
    String unavailableReason();
  }

  /**
   * Calls that may wait at once for a leader, each on a thread of the call executor. While no leader
   * is elected (a few seconds after the leader dies) every agent's next call arrives here; past this
   * many the rest are refused at once (the agents retry with backoff), so threads do not grow with
   * the number of nodes.
   */
  static final int MAX_WAITING_FOR_LEADER = 64;

  private final LeaderRoute route;
  private final Duration leaderWait;
  private final AtomicInteger waitingForLeader = new AtomicInteger();

  /**
   * @param leaderWait how long a call waits for a leader to be elected and reachable before it fails
   *     with UNAVAILABLE (or, for a read, is answered from this manager's replica)
   */
  public LeaderForwarding(LeaderRoute route, Duration leaderWait) {
    this.route = route;
    this.leaderWait = leaderWait;
  }

  public ServerServiceDefinition wrap(BindableService service) {
    return wrap(service.bindService(), false, Set.of(), name -> false);
  }

  /**
   * Relays all methods, except that reads (methods named Get* and List*) are answered from this
   * manager's replica when the caller asks for it with {@link #LOCAL_READ}, or when no leader can be
   * reached: reads keep working while quorum is lost.
   */
  public ServerServiceDefinition wrapWithLocalReads(BindableService service) {
    return wrap(service.bindService(), false, Set.of(), LeaderForwarding::isRead);
  }

  /** Relays with the original caller's identity (upstream's forwarded TLS info). */
  public ServerServiceDefinition wrapForwardingCaller(ServerServiceDefinition service) {
    return wrap(service, true, Set.of(), name -> false);
  }

  /**
   * Relays with the original caller's identity, except the methods named in {@code servedLocally}
   * (full method names) that any manager can answer from its own replica.
   */
  public ServerServiceDefinition wrapForwardingCaller(ServerServiceDefinition service, Set<String> servedLocally) {
    return wrap(service, true, servedLocally, name -> false);
  }

  private static boolean isRead(String bareMethodName) {
    return bareMethodName.startsWith("Get") || bareMethodName.startsWith("List");
  }

  private ServerServiceDefinition wrap(ServerServiceDefinition local, boolean forwardCaller,
      Set<String> servedLocally, Predicate<String> readable) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(local.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : local.getMethods()) {
      if (servedLocally.contains(method.getMethodDescriptor().getFullMethodName())) {
        builder.addMethod(method);
      } else {
        builder.addMethod(forwarding(method, forwardCaller,
            readable.test(method.getMethodDescriptor().getBareMethodName())));
      }
    }
    return builder.build();
  }

  private <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> forwarding(ServerMethodDefinition<ReqT, RespT> method,
      boolean forwardCaller, boolean readable) {
    ServerCallHandler<ReqT, RespT> localHandler = method.getServerCallHandler();
    ServerCallHandler<ReqT, RespT> handler = (call, headers) -> {
      if (readable && "true".equals(headers.get(LOCAL_READ))) {
        return localHandler.startCall(call, headers);
      }
      Optional<ManagedChannel> target;
      Context context = Context.current();
      try {
        target = awaitLeader(context);
      } catch (LocalLeader local) {
        return localHandler.startCall(call, headers);
      } catch (NoWaitingRoom full) {
        if (readable) {
          return localHandler.startCall(call, headers);
        }
        call.close(Status.UNAVAILABLE.withDescription(route.unavailableReason() + " (" + MAX_WAITING_FOR_LEADER
            + " calls already wait for a leader on this manager; retry)"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      if (context.isCancelled()) {
        // The caller gave up while this manager waited for a leader (an agent's registration timed
        // out, say): relaying now would open a session nobody follows on the leader, displacing the
        // node's live one and counting against its registration rate limit.
        call.close(Status.CANCELLED.withDescription("the caller cancelled while waiting for a leader"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      if (target.isEmpty()) {
        if (readable) {
          return localHandler.startCall(call, headers);
        }
        call.close(Status.UNAVAILABLE.withDescription(route.unavailableReason()
            + " (waited " + leaderWait.toMillis() + "ms for a leader)"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      Metadata relayed = forwardCaller
          ? ForwardedCaller.headers(CallerIdentity.current(), remoteAddress(call))
          : new Metadata();
      return relay(call, target.get(), relayed);
    };
    return ServerMethodDefinition.create(method.getMethodDescriptor(), handler);
  }

  /** Thrown by {@link #awaitLeader} when this manager leads: the call runs here. */
  private static final class LocalLeader extends Exception {
    LocalLeader() {
      super(null, null, false, false);
    }
  }

  /** Thrown by {@link #awaitLeader} when no leader is ready and too many calls already wait for one. */
  private static final class NoWaitingRoom extends Exception {
    NoWaitingRoom() {
      super(null, null, false, false);
    }
  }

  /**
   * Waits up to the leader wait for a leader: this manager ({@link LocalLeader}) or another one whose
   * channel is connected. A channel that failed is told to reconnect at once rather than after its
   * backoff. Empty when no leader became reachable in time or the caller cancelled meanwhile.
   */
  private Optional<ManagedChannel> awaitLeader(Context call) throws LocalLeader, NoWaitingRoom {
    Optional<ManagedChannel> ready = readyLeader();
    if (ready.isPresent()) {
      return ready;
    }
    if (waitingForLeader.incrementAndGet() > MAX_WAITING_FOR_LEADER) {
      waitingForLeader.decrementAndGet();
      throw new NoWaitingRoom();
    }
    try {
      long deadline = System.nanoTime() + leaderWait.toNanos();
      while (true) {
        if (System.nanoTime() > deadline || call.isCancelled()) {
          return Optional.empty();
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
        ready = readyLeader();
        if (ready.isPresent()) {
          return ready;
        }
      }
    } finally {
      waitingForLeader.decrementAndGet();
    }
  }

  /** The leader's channel if it is connected now; throws when this manager leads. */
  private Optional<ManagedChannel> readyLeader() throws LocalLeader {
    if (route.isLeader()) {
      throw new LocalLeader();
    }
    Optional<ManagedChannel> channel = route.leaderChannel();
    if (channel.isPresent()) {
      ConnectivityState state = channel.get().getState(true);
      if (state == ConnectivityState.READY) {
        return channel;
      }
      if (state == ConnectivityState.TRANSIENT_FAILURE) {
        channel.get().resetConnectBackoff();
      }
    }
    return Optional.empty();
  }

  /** Calls waiting for a leader right now (for tests). */
  int waitingForLeader() {
    return waitingForLeader.get();
  }

  private static String remoteAddress(ServerCall<?, ?> call) {
    java.net.SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof java.net.InetSocketAddress inet) {
      String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return host + ":" + inet.getPort();
    }
    return "";
  }

  /**
   * A transport failure of the relay (the leader went away mid-call: "io exception", "Network closed
   * for unknown reason", a reset stream) says so, rather than passing gRPC's bare words on; statuses
   * the leader answered with (this code base's own "raft: ..." and store messages) pass unchanged.
   */
  static Status relayFailure(Status status, boolean cancelledByCaller) {
    boolean transport = switch (status.getCode()) {
      case UNAVAILABLE -> status.getCause() != null || !fromLeader(status.getDescription());
      case CANCELLED -> !cancelledByCaller;
      default -> false;
    };
    if (!transport) {
      return status;
    }
    String detail = status.getDescription() != null ? status.getDescription() : String.valueOf(status.getCause());
    return Status.UNAVAILABLE.withDescription("relaying to the raft leader failed (" + detail
        + "); the leader may have gone away: retry, a new leader is elected within seconds");
  }

  /** Whether an UNAVAILABLE description is one a manager sends (as opposed to gRPC's transport words). */
  private static boolean fromLeader(String description) {
    return description != null && (description.startsWith("raft:") || description.startsWith("relaying")
        || description.startsWith("not the raft leader") || description.equals("store closed"));
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> relay(ServerCall<ReqT, RespT> serverCall,
      ManagedChannel channel, Metadata relayedHeaders) {
    ClientCall<ReqT, RespT> clientCall = channel.newCall(serverCall.getMethodDescriptor(), CallOptions.DEFAULT);
    java.util.concurrent.atomic.AtomicBoolean cancelledByCaller = new java.util.concurrent.atomic.AtomicBoolean();
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
          serverCall.close(relayFailure(status, cancelledByCaller.get()), trailers);
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
        cancelledByCaller.set(true);
        clientCall.cancel("caller cancelled", null);
      }
    };
  }
}
