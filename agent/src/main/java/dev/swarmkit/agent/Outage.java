package dev.swarmkit.agent;

import java.time.Duration;

/**
 * A repeated failure reported as a few lines instead of one per attempt: the first failure, then a
 * summary at most every {@code summaryPeriod} ("unreachable for 30 s, 12 attempts"), then the end.
 * Not thread-safe: owned by one event loop.
 */
final class Outage {

  private final Duration summaryPeriod;
  private long startNanos;
  private long lastReportNanos;
  private int attempts;
  private boolean active;

  Outage(Duration summaryPeriod) {
    this.summaryPeriod = summaryPeriod;
  }

  /** Counts a failed attempt; returns whether this is the first of the outage (log it in full). */
  boolean failed(long nowNanos) {
    attempts++;
    if (!active) {
      active = true;
      startNanos = nowNanos;
      lastReportNanos = nowNanos;
      return true;
    }
    return false;
  }

  /** Whether a summary is due now; if so, the period restarts. */
  boolean summaryDue(long nowNanos) {
    if (active && nowNanos - lastReportNanos >= summaryPeriod.toNanos()) {
      lastReportNanos = nowNanos;
      return true;
    }
    return false;
  }

  /** Ends the outage; returns whether there was one. */
  boolean recovered() {
    boolean was = active;
    active = false;
    return was;
  }

  /** "for 30 s, 12 attempts" */
  String describe(long nowNanos) {
    return "for " + Duration.ofNanos(nowNanos - startNanos).toSeconds() + " s, " + attempts
        + (attempts == 1 ? " attempt" : " attempts");
  }

  /** Resets the counters after a recovery has been reported. */
  void reset() {
    attempts = 0;
  }
}
