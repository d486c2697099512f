package dev.swarmkit.manager;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** How a follower reports the end of a call it relayed to the leader. */
class LeaderForwardingTest {

  @Test
  void transportFailuresOfTheRelayAreExplainedNotPassedOnBare() {
    for (Status transport : new Status[] {
        Status.UNAVAILABLE.withDescription("io exception").withCause(new IOException("reset")),
        Status.UNAVAILABLE.withDescription("Network closed for unknown reason"),
        Status.UNAVAILABLE,
        Status.CANCELLED.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL")}) {
      Status relayed = LeaderForwarding.relayFailure(transport, false);
      assertThat(relayed.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(relayed.getDescription()).startsWith("relaying to the raft leader failed")
          .contains("a new leader is elected within seconds");
    }
  }

  @Test
  void statusesTheLeaderAnsweredWithPassUnchanged() {
    Status quorum = Status.UNAVAILABLE.withDescription("raft: quorum lost: this manager (the leader) reaches 1 of 3");
    assertThat(LeaderForwarding.relayFailure(quorum, false)).isSameAs(quorum);
    Status notFound = Status.NOT_FOUND.withDescription("secret x not found");
    assertThat(LeaderForwarding.relayFailure(notFound, false)).isSameAs(notFound);
    Status cancelled = Status.CANCELLED.withDescription("caller cancelled");
    assertThat(LeaderForwarding.relayFailure(cancelled, true)).isSameAs(cancelled);
  }
}
