package dev.swarmkit.manager;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Channels from this manager to the leader's remote API, one per leader address, reused across
 * calls. A channel to a manager that was down backs off its reconnects for up to two minutes; when
 * Raft names a new leader its channel's backoff is reset, so the first relayed call connects at once.
 */
final class LeaderChannels implements AutoCloseable {

  private final Function<String, ManagedChannel> dial;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String lastLeader;

  LeaderChannels(Function<String, ManagedChannel> dial) {
    this.dial = dial;
  }

  /** The channel to the manager at {@code leaderAddress} (its remote API). */
  ManagedChannel to(String leaderAddress) {
    ManagedChannel channel = channels.computeIfAbsent(leaderAddress, dial);
    if (!leaderAddress.equals(lastLeader)) {
      lastLeader = leaderAddress;
      channel.resetConnectBackoff();
    }
    return channel;
  }

  Optional<String> lastLeader() {
    return Optional.ofNullable(lastLeader);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
