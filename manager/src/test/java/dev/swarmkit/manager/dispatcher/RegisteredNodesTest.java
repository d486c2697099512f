package dev.swarmkit.manager.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegisteredNodesTest {

  private static final Duration PERIOD = Duration.ofMillis(20);

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final RegisteredNodes nodes = new RegisteredNodes(timers, new PeriodChooser(PERIOD, Duration.ZERO), 1,
      Duration.ofSeconds(8));

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  @Test
  void anUnknownNodeThatDoesNotComeBackExpires() throws Exception {
    AtomicInteger expired = new AtomicInteger();
    nodes.addUnknown("n", expired::incrementAndGet);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(expired).hasValue(1));
  }

  @Test
  void anUnknownEntryDueWhileItsNodeRegistersNeverExpiresAfterTheRegistration() throws Exception {
    AtomicInteger expiredAfterRegistration = new AtomicInteger();
    AtomicInteger registrations = new AtomicInteger();
    nodes.addUnknown("n", () -> {
      if (registrations.get() > 0) {
        expiredAfterRegistration.incrementAndGet();
      }
    });

    // The unknown entry falls due (2 x 20ms) while the registration is still queueing READY.
    nodes.add("n", () -> {}, () -> {
      registrations.incrementAndGet();
      sleep(PERIOD.multipliedBy(5));
    });
    sleep(PERIOD.multipliedBy(5));

    assertThat(registrations).hasValue(1);
    assertThat(expiredAfterRegistration).as("expiries of the replaced entry run after READY was queued").hasValue(0);
  }

  @Test
  void aLiveSessionIsResumedWithItsReadyQueuedOnce() {
    RegisteredNodes.RegisteredNode rn = nodes.add("n", () -> {}, () -> {});
    AtomicInteger queued = new AtomicInteger();

    assertThat(nodes.resume("n", rn.sessionId, queued::incrementAndGet)).isSameAs(rn);
    assertThat(queued).hasValue(1);
  }

  @Test
  void aSessionThatExpiredOrWasReplacedIsNotResumedAndQueuesNothing() {
    RegisteredNodes.RegisteredNode first = nodes.add("n", () -> {}, () -> {});
    nodes.add("n", () -> {}, () -> {});
    AtomicInteger queued = new AtomicInteger();

    assertThat(nodes.resume("n", first.sessionId, queued::incrementAndGet)).isNull();
    nodes.delete("n", io.grpc.Status.NOT_FOUND);
    assertThat(nodes.resume("n", first.sessionId, queued::incrementAndGet)).isNull();
    nodes.addUnknown("m", () -> {});
    assertThat(nodes.resume("m", "", queued::incrementAndGet)).as("an unknown entry has no session").isNull();
    assertThat(queued).hasValue(0);
  }

  @Test
  void aRegistrationReplacingAnUnknownEntryKeepsTheRestOfItsGrace() {
    RegisteredNodes slow = new RegisteredNodes(timers, new PeriodChooser(Duration.ofSeconds(10), Duration.ZERO), 1,
        Duration.ofSeconds(8));
    slow.addUnknown("n", () -> {}); // 2 x 10s to come back after a leader change

    RegisteredNodes.RegisteredNode rn = slow.add("n", () -> {}, () -> {});

    assertThat(rn.timeLeft()).as("not cut to the normal 10s grace").isGreaterThan(Duration.ofSeconds(15));
    assertThat(slow.add("n", () -> {}, () -> {}).timeLeft()).as("a replaced session's deadline carries over")
        .isGreaterThan(Duration.ofSeconds(15));
  }

  @Test
  void aRegistrationReplacingALiveSessionGetsTheNormalGrace() {
    RegisteredNodes slow = new RegisteredNodes(timers, new PeriodChooser(Duration.ofSeconds(10), Duration.ZERO), 1,
        Duration.ofSeconds(8));
    slow.add("n", () -> {}, () -> {});

    assertThat(slow.add("n", () -> {}, () -> {}).timeLeft()).isLessThanOrEqualTo(Duration.ofSeconds(10))
        .isGreaterThan(Duration.ofSeconds(5));
  }

  @Test
  void aStartedSessionGetsAFullGraceButKeepsALongerUnknownGrace() {
    RegisteredNodes slow = new RegisteredNodes(timers, new PeriodChooser(Duration.ofSeconds(10), Duration.ZERO), 1,
        Duration.ofSeconds(8));
    slow.addUnknown("n", () -> {});
    RegisteredNodes.RegisteredNode afterLeaderChange = slow.add("n", () -> {}, () -> {});
    slow.sessionStarted("n", afterLeaderChange.sessionId);
    assertThat(afterLeaderChange.timeLeft()).isGreaterThan(Duration.ofSeconds(15));

    RegisteredNodes.RegisteredNode fresh = slow.add("m", () -> {}, () -> {});
    slow.sessionStarted("m", fresh.sessionId);
    assertThat(fresh.timeLeft()).isLessThanOrEqualTo(Duration.ofSeconds(10)).isGreaterThan(Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> slow.sessionStarted("m", "replaced"))
        .isInstanceOf(io.grpc.StatusRuntimeException.class);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
