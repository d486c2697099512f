package dev.swarmkit.manager.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.ManagerStatus;
import dev.swarmkit.api.RaftMemberStatus.Reachability;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PeerReachabilityLogTest {

  private final AtomicReference<Reachability> m2 = new AtomicReference<>(Reachability.REACHABLE);
  private final AtomicLong now = new AtomicLong();
  private final PeerReachabilityLog peerLog = new PeerReachabilityLog(new RaftMembershipView() {
    @Override
    public List<Member> members() {
      return List.of(member("m1", "10.0.0.1:4242", Reachability.REACHABLE), member("m2", "10.0.0.2:4242", m2.get()));
    }

    @Override
    public boolean canRemoveMember(long raftId) {
      return false;
    }
  }, Duration.ofSeconds(30), now::get);

  @Test
  void anUnreachableManagerIsReportedOnceThenSummarisedThenRecovered() {
    assertThat(peerLog.poll()).isEmpty();
    m2.set(Reachability.UNREACHABLE);
    assertThat(peerLog.poll()).containsExactly("manager m2 at 10.0.0.2:4242 unreachable");
    int polled = 0;
    for (int s = 1; s <= 65; s++) { // a poll a second for 65 s
      now.set(Duration.ofSeconds(s).toNanos());
      polled += peerLog.poll().size();
    }
    assertThat(polled).as("two summaries in 65 s instead of a line per poll").isEqualTo(2);
    now.set(Duration.ofSeconds(66).toNanos());
    m2.set(Reachability.REACHABLE);
    assertThat(peerLog.poll()).containsExactly("manager m2 at 10.0.0.2:4242 reachable again after 66 s");
  }

  @Test
  void theSummarySaysForHowLong() {
    m2.set(Reachability.UNREACHABLE);
    peerLog.poll();
    now.set(Duration.ofSeconds(30).toNanos());
    assertThat(peerLog.poll()).containsExactly("manager m2 at 10.0.0.2:4242 unreachable for 30 s");
  }

  private static RaftMembershipView.Member member(String id, String addr, Reachability r) {
    return new RaftMembershipView.Member(id, ManagerStatus.newBuilder().setAddr(addr).setReachability(r).build());
  }
}
