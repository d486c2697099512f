package dev.swarmkit.manager.dispatcher;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** A heartbeat period with random jitter, so that nodes do not heartbeat in lock step. */
record PeriodChooser(Duration period, Duration epsilon) {

  Duration choose() {
    long eps = epsilon.toNanos();
    long adjust = eps > 0 ? ThreadLocalRandom.current().nextLong(2 * eps) - eps : 0;
    return period.plusNanos(adjust);
  }
}
