package dev.swarmkit.manager;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression: a follower's channel to a manager that was down kept backing off its reconnects (up to
 * two minutes), so when that manager came back and was elected, calls relayed through the follower
 * failed with "io exception" for about a minute. A change of leader now resets the new leader's backoff.
 */
class LeaderChannelsTest {

  @Test
  void aNewLeadersChannelHasItsReconnectBackoffResetOnceAndIsReused() {
    Map<String, CountingChannel> dialed = new HashMap<>();
    try (LeaderChannels channels = new LeaderChannels(addr -> dialed.computeIfAbsent(addr, a -> new CountingChannel()))) {
      ManagedChannel a = channels.to("10.0.0.1:4242");
      channels.to("10.0.0.1:4242");
      assertThat(dialed.get("10.0.0.1:4242").resets).isEqualTo(1);

      channels.to("10.0.0.2:4242");
      ManagedChannel again = channels.to("10.0.0.1:4242"); // the old leader is elected again
      assertThat(again).isSameAs(a);
      assertThat(dialed.get("10.0.0.1:4242").resets).isEqualTo(2);
      assertThat(dialed.get("10.0.0.2:4242").resets).isEqualTo(1);
      assertThat(channels.lastLeader()).contains("10.0.0.1:4242");
    }
  }

  /** Counts backoff resets; nothing else is used. */
  private static final class CountingChannel extends ManagedChannel {
    int resets;

    @Override
    public void resetConnectBackoff() {
      resets++;
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
      return ConnectivityState.IDLE;
    }

    @Override
    public ManagedChannel shutdown() {
      return this;
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public ManagedChannel shutdownNow() {
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String authority() {
      return "test";
    }
  }
}
