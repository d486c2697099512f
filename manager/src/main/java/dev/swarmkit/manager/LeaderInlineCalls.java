package dev.swarmkit.manager;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs the named unary calls on the transport's event loop instead of handing each to gRPC's call
 * executor, while this manager leads: the dispatcher's Heartbeat and UpdateTaskStatus only touch
 * memory there, and at thousands of nodes they are most of the leader's calls, each paying two
 * thread hand-offs. On a follower the same calls may wait for a leader to relay to, so they keep the
 * default executor; a call whose manager stops leading meanwhile continues on a pool of its own.
 */
final class LeaderInlineCalls implements ServerCallExecutorSupplier {

  private static final ExecutorService FALLBACK = Executors.newCachedThreadPool(daemons());

  private final Set<String> methods;
  private final BooleanSupplier leading;
  /** Runs a call's step where it is handed over while this manager leads, else on the pool. */
  private final Executor inline;

  LeaderInlineCalls(Set<String> fullMethodNames, BooleanSupplier leading) {
    this.methods = Set.copyOf(fullMethodNames);
    this.leading = leading;
    this.inline = task -> {
      if (leading.getAsBoolean()) {
        task.run();
      } else {
        FALLBACK.execute(task);
      }
    };
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    if (!methods.contains(call.getMethodDescriptor().getFullMethodName()) || !leading.getAsBoolean()) {
      return null; // gRPC's default executor
    }
    return inline;
  }

  private static java.util.concurrent.ThreadFactory daemons() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "remote-api-calls-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
