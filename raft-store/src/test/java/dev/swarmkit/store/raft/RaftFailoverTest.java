package dev.swarmkit.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftFailoverTest {

  @TempDir Path dir;

  @Test
  void whenTheLeaderDiesMidStreamANewOneIsElectedAndEveryAcknowledgedWriteSurvives() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger attempts = new AtomicInteger();
      Thread writer = new Thread(() -> {
        while (!stop.get()) {
          String id = "w-" + attempts.getAndIncrement();
          try {
            RaftNode leader = c.currentLeader().orElse(null);
            if (leader == null) {
              Thread.sleep(10);
              continue;
            }
            leader.store().update(tx -> tx.create(Table.NODES, TestCluster.nodeObject(id)));
            acknowledged.add(id);
          } catch (StoreException e) {
            // not acknowledged (lost leadership, stopped, timed out): try again with a new object
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "test-writer");
      writer.start();
      await().atMost(TestCluster.WAIT).until(() -> acknowledged.size() >= 20);

      RaftNode oldLeader = c.leader();
      int oldIndex = c.indexOf(oldLeader);
      c.stop(oldIndex);
      int before = acknowledged.size();
      await().atMost(TestCluster.WAIT).until(() -> acknowledged.size() >= before + 20);
      stop.set(true);
      writer.join(30_000);

      RaftNode newLeader = c.leader();
      assertThat(newLeader.raftId()).isNotEqualTo(oldLeader.raftId());
      for (RaftNode n : c.running()) {
        n.readIndex();
        for (String id : acknowledged) {
          assertThat(TestCluster.has(n, id)).as("%s on %s", id, n.nodeId()).isTrue();
        }
      }
      assertThat(c.running().get(0).store().snapshot()).isEqualTo(c.running().get(1).store().snapshot());
    }
  }

  @Test
  void whenTheLeadersProcessIsGoneAFollowerCampaignsBeforeTheElectionTimeout() throws Exception {
    // Election timeouts of 10-20 s: a follower whose timer runs out is elected 10 s after its last
    // heartbeat at the earliest. One that sees the leader's port refuse connections campaigns once the
    // heartbeat is 6 s overdue.
    try (TestCluster c = TestCluster.start(dir, 3,
        conf -> conf.withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(20)))) {
      c.createOnLeader("before");
      c.awaitEverywhere("before");
      RaftNode oldLeader = c.leader();
      c.createOnLeader("last-heartbeat"); // the followers heard from the leader just now
      c.awaitEverywhere("last-heartbeat");
      long killed = System.nanoTime();
      c.stop(c.indexOf(oldLeader)); // its raft port closes: connections to it are refused

      RaftNode newLeader = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(c::currentLeader, Optional::isPresent).orElseThrow();
      Duration elected = Duration.ofNanos(System.nanoTime() - killed);
      assertThat(newLeader.raftId()).isNotEqualTo(oldLeader.raftId());
      assertThat(elected).as("time to a new leader").isLessThan(Duration.ofMillis(9_500));
      c.createOnLeader("after");
      c.awaitEverywhere("after");
    }
  }

  @Test
  void aPortNobodyListensOnRefusesConnectionsAndALiveOneDoesNot() throws Exception {
    try (java.net.ServerSocket live = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(LeaderCrashDetector.refusesConnections("127.0.0.1:" + live.getLocalPort())).isFalse();
      int port = live.getLocalPort();
      live.close();
      assertThat(LeaderCrashDetector.refusesConnections("127.0.0.1:" + port)).isTrue();
    }
    assertThat(LeaderCrashDetector.refusesConnections("not-an-address")).isFalse();
  }

  @Test
  void aFiveMemberClusterKeepsWritingWithTwoMembersDown() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 5)) {
      c.createOnLeader("before");
      c.awaitEverywhere("before");
      // take down the leader and one follower
      RaftNode leader = c.leader();
      c.stop(c.indexOf(leader));
      RaftNode follower = c.running().get(0);
      c.stop(c.indexOf(follower));
      assertThat(c.running()).hasSize(3);

      c.createOnLeader("after");
      c.awaitEverywhere("after");
      for (RaftNode n : c.running()) {
        assertThat(TestCluster.has(n, "before")).isTrue();
      }
      RaftNode newLeader = c.leader();
      await().atMost(TestCluster.WAIT).untilAsserted(() -> assertThat(newLeader.members())
          .filteredOn(m -> m.getStatus().getReachability()
              == dev.swarmkit.api.RaftMemberStatus.Reachability.UNREACHABLE)
          .hasSize(2));
    }
  }

  @Test
  void leadershipListenersHearWhoLeads() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3)) {
      List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
      for (RaftNode n : c.running()) {
        n.onLeadershipChange(isLeader -> events.add(n.nodeId() + "=" + isLeader));
      }
      RaftNode leader = c.leader();
      await().atMost(TestCluster.WAIT).until(() -> events.contains(leader.nodeId() + "=true"));
      c.stop(c.indexOf(leader));
      await().atMost(TestCluster.WAIT).until(() -> events.contains(leader.nodeId() + "=false"));
      RaftNode next = c.leader();
      await().atMost(TestCluster.WAIT).until(() -> events.contains(next.nodeId() + "=true"));
      assertThat(next.isLeader()).isTrue();
    }
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownMakesTheNextWriteRetryOnSettledState() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, cfg -> cfg.withProposeTimeout(Duration.ofSeconds(2)))) {
      RaftNode leader = c.leader();
      // A watcher whose filter stalls holds up the leader's apply, so the proposal times out while the
      // entry still commits.
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      AtomicBoolean stalled = new AtomicBoolean();
      dev.swarmkit.store.Subscription slow = leader.store().watch(e -> {
        if (stalled.compareAndSet(false, true)) {
          try {
            release.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
        return false;
      });
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> leader.store().update(
              tx -> tx.create(Table.NODES, TestCluster.nodeObject("unknown-outcome"))))
          .isInstanceOf(StoreException.class).isNotInstanceOf(StoreException.NotLeader.class)
          .hasMessageContaining("timed out");
      release.countDown();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> leader.store().update(
              tx -> tx.create(Table.NODES, TestCluster.nodeObject("next"))))
          .hasMessageContaining("outcome of an earlier write was unknown");
      assertThat(TestCluster.has(leader, "unknown-outcome")).isTrue();
      leader.store().update(tx -> tx.create(Table.NODES, TestCluster.nodeObject("next")));
      c.awaitEverywhere("unknown-outcome");
      c.awaitEverywhere("next");
      slow.close();
    }
  }
}
