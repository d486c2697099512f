package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long the agent waits (at most, the delay is random below it) before its next session. */
class AgentBackoffTest {

  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(8);

  @Test
  void backoffDoublesFromTheInitialUpToTheMaximum() {
    Duration b = Duration.ZERO;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      b = Agent.nextBackoff(b, INITIAL, MAX, null);
      seen.append(b.toMillis()).append(' ');
    }
    assertThat(seen.toString().trim()).isEqualTo("100 300 700 1500 3100 6300 8000 8000");
  }

  @Test
  void backoffNeverExceedsTheHeartbeatPeriodTheDispatcherGave() {
    Duration b = Duration.ZERO;
    for (int i = 0; i < 10; i++) {
      b = Agent.nextBackoff(b, INITIAL, MAX, Duration.ofSeconds(2));
    }
    assertThat(b).isEqualTo(Duration.ofSeconds(2));
    assertThat(Agent.nextBackoff(Duration.ofSeconds(20), INITIAL, MAX, Duration.ofSeconds(30)))
        .as("a period longer than the maximum leaves the maximum").isEqualTo(MAX);
    assertThat(Agent.nextBackoff(Duration.ZERO, INITIAL, MAX, Duration.ofMillis(10)))
        .as("a period shorter than the initial backoff leaves the initial").isEqualTo(INITIAL);
  }
}
