package dev.swarmkit.swarmd;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a join step until it succeeds, retrying with a randomized exponential backoff (as upstream's
 * node retries its start) while the failure may pass; a failure that cannot pass (a wrong token) ends
 * the start with its one-line message. Each failed attempt is logged once, in one line.
 */
final class Joiner {

  private static final Logger log = LoggerFactory.getLogger(Joiner.class);

  @FunctionalInterface
  interface Attempt<T> {
    T run() throws Exception;
  }

  private final Duration initialBackoff;
  private final Duration maxBackoff;

  Joiner(Duration initialBackoff, Duration maxBackoff) {
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  static Joiner defaults() {
    return new Joiner(Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  <T> T run(String joinAddr, Attempt<T> attempt) throws InterruptedException {
    Duration backoff = initialBackoff;
    for (int n = 1; ; n++) {
      try {
        return attempt.run();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        JoinFailure failure = JoinFailure.of(joinAddr, e);
        if (!failure.retry()) {
          throw new StartupException(failure.message(), e);
        }
        long jittered = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
        log.warn("{} (attempt {}, retrying in {} s)", failure.message(), n,
            Math.max(1, Math.round(jittered / 1000.0)));
        log.debug("join attempt {} failed", n, e);
        Thread.sleep(jittered);
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
      }
    }
  }
}
