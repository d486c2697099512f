package dev.swarmkit.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.DispatcherGrpc;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LeaderInlineCallsTest {

  private final AtomicBoolean leading = new AtomicBoolean(true);
  private final LeaderInlineCalls calls = new LeaderInlineCalls(
      Set.of(DispatcherGrpc.getHeartbeatMethod().getFullMethodName()), leading::get);

  @Test
  void aNamedCallRunsOnTheCallingThreadWhileThisManagerLeads() throws Exception {
    Executor executor = calls.getExecutor(call(DispatcherGrpc.getHeartbeatMethod()), new Metadata());
    assertThat(executor).isNotNull();
    Thread[] ranOn = new Thread[1];
    executor.execute(() -> ranOn[0] = Thread.currentThread());
    assertThat(ranOn[0]).isSameAs(Thread.currentThread());

    // Leadership lost during the call: what is left of it goes to a pool (it may wait for a leader).
    leading.set(false);
    CompletableFuture<Thread> later = new CompletableFuture<>();
    executor.execute(() -> later.complete(Thread.currentThread()));
    assertThat(later.get(5, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
  }

  @Test
  void otherCallsAndAnyCallOnAFollowerKeepTheDefaultExecutor() {
    assertThat(calls.getExecutor(call(ControlGrpc.getListNodesMethod()), new Metadata())).isNull();
    leading.set(false);
    assertThat(calls.getExecutor(call(DispatcherGrpc.getHeartbeatMethod()), new Metadata())).isNull();
  }

  private static <ReqT, RespT> ServerCall<ReqT, RespT> call(MethodDescriptor<ReqT, RespT> method) {
    return new ServerCall<>() {
      @Override
      public void request(int numMessages) {}

      @Override
      public void sendHeaders(Metadata headers) {}

      @Override
      public void sendMessage(RespT message) {}

      @Override
      public void close(Status status, Metadata trailers) {}

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public Attributes getAttributes() {
        return Attributes.EMPTY;
      }

      @Override
      public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
        return method;
      }
    };
  }
}
