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

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
