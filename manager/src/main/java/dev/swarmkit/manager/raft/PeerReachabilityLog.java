package dev.swarmkit.manager.raft;

import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports other managers becoming unreachable in a few lines instead of Ratis' line per failed
 * append (about two a second per peer): one WARN when a manager becomes unreachable, a summary every
 * {@code summaryPeriod} while it stays so ("manager m2 at 10.0.0.2:4243 unreachable for 30 s"), and
 * one INFO when it is reachable again. Polls this member's view of the Raft members.
 */
public final class PeerReachabilityLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeerReachabilityLog.class);

  private final RaftMembershipView membership;
  private final Duration summaryPeriod;
  private final LongSupplier nanoClock;
  private final Map<String, long[]> down = new HashMap<>(); // nodeId -> {since, lastReport}
  private ScheduledExecutorService timer;

  public PeerReachabilityLog(RaftMembershipView membership, Duration summaryPeriod, LongSupplier nanoClock) {
    this.membership = membership;
    this.summaryPeriod = summaryPeriod;
    this.nanoClock = nanoClock;
  }

  /** Polls every second on its own daemon thread. */
  public PeerReachabilityLog start() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peer-reachability-log");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        poll();
      } catch (RuntimeException e) {
        log.debug("reading raft members failed: {}", e.toString());
      }
    }, 1, 1, TimeUnit.SECONDS);
    return this;
  }

  /** One look at the members; logs what changed and returns those lines. */
  synchronized java.util.List<String> poll() {
    java.util.List<String> lines = new java.util.ArrayList<>();
    long now = nanoClock.getAsLong();
    Set<String> seen = new HashSet<>();
    for (RaftMembershipView.Member m : membership.members()) {
      String id = m.nodeId();
      seen.add(id);
      RaftMemberStatus.Reachability r = m.status().getReachability();
      String addr = m.status().getAddr();
      long[] since = down.get(id);
      if (r == RaftMemberStatus.Reachability.UNREACHABLE) {
        if (since == null) {
          down.put(id, new long[] {now, now});
          lines.add(warn("manager " + id + " at " + addr + " unreachable"));
        } else if (now - since[1] >= summaryPeriod.toNanos()) {
          since[1] = now;
          lines.add(warn("manager " + id + " at " + addr + " unreachable for "
              + Duration.ofNanos(now - since[0]).toSeconds() + " s"));
        }
      } else if (r == RaftMemberStatus.Reachability.REACHABLE && since != null) {
        down.remove(id);
        String line = "manager " + id + " at " + addr + " reachable again after "
            + Duration.ofNanos(now - since[0]).toSeconds() + " s";
        log.info(line);
        lines.add(line);
      }
    }
    down.keySet().retainAll(seen); // removed members are no longer watched
    return lines;
  }

  private static String warn(String line) {
    log.warn(line);
    return line;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
