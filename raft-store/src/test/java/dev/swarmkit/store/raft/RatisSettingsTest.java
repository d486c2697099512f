package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.store.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** How the first election after start is timed and the log buffers sized, from the Ratis properties a member starts with. */
class RatisSettingsTest {
  private static final RaftConfig CONFIG = RaftConfig.defaults(Path.of("/tmp/unused"), 1, "node-1", "127.0.0.1:4243")
      .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(20));

  private static long firstMin(RaftProperties p) {
    return RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(p).toLong(TimeUnit.MILLISECONDS);
  }

  private static long firstMax(RaftProperties p) {
    return RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(p).toLong(TimeUnit.MILLISECONDS);
  }

  @Test
  void aMemberAloneInItsGroupCampaignsWithinATenthOfAHeartbeat() {
    RaftProperties alone = RatisSettings.properties(CONFIG, true);
    assertThat(firstMin(alone)).isEqualTo(100);
    assertThat(firstMax(alone)).isEqualTo(200);
    assertThat(RaftServerConfigKeys.LeaderElection.preVote(alone)).isTrue();
  }

  @Test
  void aRestartingMemberWaitsOneToTwoHeartbeatsSoAWholeClusterRestartDoesNotSplitItsVotes() {
    RaftProperties restart = RatisSettings.properties(CONFIG, false);
    assertThat(firstMin(restart)).isEqualTo(1000);
    assertThat(firstMax(restart)).isEqualTo(2000);
    // The regular election timeout is unchanged either way.
    assertThat(RaftServerConfigKeys.Rpc.timeoutMin(restart).toLong(TimeUnit.MILLISECONDS)).isEqualTo(10_000);
  }

  @Test
  void theLogWriteBufferHoldsTheLargestTransactionAndTheLeadersLargestBatch() {
    RaftProperties p = RatisSettings.properties(CONFIG, false);
    long batch = RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSize();
    assertThat(batch).isGreaterThanOrEqualTo(MemoryStore.MAX_TRANSACTION_BYTES + 64 * 1024);
    // Ratis refuses to start when its write buffer is smaller than a batch plus 8 bytes.
    assertThat(RaftServerConfigKeys.Log.writeBufferSize(p).getSize()).isEqualTo(batch + 8)
        .isLessThan(8L << 20);
  }
}
