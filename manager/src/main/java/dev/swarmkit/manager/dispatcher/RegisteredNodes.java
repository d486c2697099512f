package dev.swarmkit.manager.dispatcher;

import dev.swarmkit.identity.Identity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The nodes holding a session with this dispatcher (upstream's nodeStore), each with a heartbeat
 * deadline. A node that misses its deadline has its expiry action run on the timer thread.
 */
final class RegisteredNodes {

  /** Registrations allowed per rate-limit window, as upstream. */
  static final int RATE_LIMIT_COUNT = 3;

  private final ScheduledExecutorService timers;
  private final Map<String, RegisteredNode> nodes = new HashMap<>();
  private PeriodChooser periodChooser;
  private int graceMultiplier;
  private final Duration rateLimitPeriod;

  RegisteredNodes(ScheduledExecutorService timers, PeriodChooser periodChooser, int graceMultiplier,
      Duration rateLimitPeriod) {
    this.timers = timers;
    this.periodChooser = periodChooser;
    this.graceMultiplier = graceMultiplier;
    this.rateLimitPeriod = rateLimitPeriod;
  }

  synchronized void updatePeriod(PeriodChooser chooser, int multiplier) {
    this.periodChooser = chooser;
    this.graceMultiplier = multiplier;
  }

  synchronized Duration choosePeriod() {
    return periodChooser.choose();
  }

  /**
   * Tracks a node known from the store but without a session yet (after a leader change). It gets
   * twice the normal grace period to come back before {@code onExpire} marks it down.
   */
  synchronized void addUnknown(String nodeId, Runnable onExpire) {
    RegisteredNode old = nodes.remove(nodeId);
    if (old != null) {
      old.stopTimer();
    }
    RegisteredNode rn = new RegisteredNode(nodeId, null, Instant.EPOCH, 0);
    nodes.put(nodeId, rn);
    rn.arm(periodChooser.choose().multipliedBy(2L * graceMultiplier), onExpire);
  }

  /** Upstream's CheckRateLimit: more than 3 registrations within the window are refused. */
  synchronized void checkRateLimit(String nodeId) {
    RegisteredNode existing = nodes.get(nodeId);
    if (existing == null) {
      return;
    }
    Instant now = Instant.now();
    if (Duration.between(existing.registered, now).compareTo(rateLimitPeriod) > 0) {
      existing.attempts = 0;
    }
    existing.attempts++;
    if (existing.attempts > RATE_LIMIT_COUNT) {
      throw new StatusRuntimeException(Status.UNAVAILABLE.withDescription(
          "node " + nodeId + " exceeded rate limit count of registrations"));
    }
    existing.registered = now;
  }

  /**
   * Registers a new session for the node, replacing (and ending) any previous one. The node must
   * heartbeat within the grace period or {@code onExpire} runs. {@code whileAdding} (queueing the
   * node's READY status) runs under the same lock as the expiry of the entry it replaces: an
   * "unknown" entry expiring just as its node comes back then either marks the node down before the
   * new session's READY is queued, or not at all, never after it (which left a node with a live
   * session DOWN).
   */
  synchronized RegisteredNode add(String nodeId, Runnable onExpire, Runnable whileAdding) {
    int attempts = 0;
    Instant registered = null;
    Duration timeout = periodChooser.choose().multipliedBy(graceMultiplier);
    RegisteredNode old = nodes.remove(nodeId);
    if (old != null) {
      attempts = old.attempts;
      registered = old.registered.equals(Instant.EPOCH) ? null : old.registered;
      // A registration never brings the node's deadline forward: if the node gives up on it (its
      // first message comes too late) and its next attempt is rate limited, it still has the rest of
      // the "unknown" grace it had after a leader change.
      Duration left = old.timeLeft();
      if (left.compareTo(timeout) > 0) {
        timeout = left;
      }
      old.stopTimer();
      old.end(Status.INVALID_ARGUMENT.withDescription("session invalid"));
    }
    RegisteredNode rn = new RegisteredNode(nodeId, Identity.newId(),
        registered == null ? Instant.now() : registered, attempts);
    nodes.put(nodeId, rn);
    rn.arm(timeout, onExpire);
    whileAdding.run();
    return rn;
  }

  /**
   * The node's live session {@code sessionId} if it still holds it, running {@code whileResuming}
   * (queueing READY) under the lock its expiry runs under; null (nothing run) if the node must
   * register anew.
   */
  synchronized RegisteredNode resume(String nodeId, String sessionId, Runnable whileResuming) {
    RegisteredNode rn = nodes.get(nodeId);
    if (rn == null || rn.sessionId == null || sessionId == null || !rn.sessionId.equals(sessionId)) {
      return null;
    }
    whileResuming.run();
    return rn;
  }

  /** The node's live session; NOT_FOUND if unregistered, INVALID_ARGUMENT if another session. */
  synchronized RegisteredNode getWithSession(String nodeId, String sessionId) {
    RegisteredNode rn = nodes.get(nodeId);
    if (rn == null) {
      throw new StatusRuntimeException(Status.NOT_FOUND.withDescription("node not registered"));
    }
    if (sessionId == null || sessionId.isEmpty() || !sessionId.equals(rn.sessionId)) {
      throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("session invalid"));
    }
    return rn;
  }

  synchronized RegisteredNode get(String nodeId) {
    return nodes.get(nodeId);
  }

  /** Records a heartbeat, pushing the deadline out; returns the period the node should wait. */
  synchronized Duration heartbeat(String nodeId, String sessionId) {
    RegisteredNode rn = getWithSession(nodeId, sessionId);
    Duration period = periodChooser.choose();
    rn.rearm(period.multipliedBy(graceMultiplier));
    return period;
  }

  /**
   * Restarts the session's deadline as its first message goes out (the node can heartbeat from now
   * on), never shortening what is left of it; INVALID_ARGUMENT if another session replaced it.
   */
  synchronized void sessionStarted(String nodeId, String sessionId) {
    RegisteredNode rn = getWithSession(nodeId, sessionId);
    Duration timeout = periodChooser.choose().multipliedBy(graceMultiplier);
    Duration left = rn.timeLeft();
    rn.rearm(left.compareTo(timeout) > 0 ? left : timeout);
  }

  /** Forgets the node; its session (if any) ends with {@code reason}. */
  synchronized RegisteredNode delete(String nodeId, Status reason) {
    RegisteredNode rn = nodes.remove(nodeId);
    if (rn != null) {
      rn.stopTimer();
      rn.end(reason);
    }
    return rn;
  }

  /** Stops all timers and ends all sessions, as when the dispatcher stops. */
  synchronized void clean(Status reason) {
    for (RegisteredNode rn : nodes.values()) {
      rn.stopTimer();
      rn.end(reason);
    }
    nodes.clear();
  }

  synchronized List<RegisteredNode> withSessions() {
    List<RegisteredNode> out = new ArrayList<>();
    for (RegisteredNode rn : nodes.values()) {
      if (rn.sessionId != null) {
        out.add(rn);
      }
    }
    return out;
  }

  synchronized int size() {
    return nodes.size();
  }

  /** One node's registration: session ID, heartbeat deadline and the signals to its stream. */
  final class RegisteredNode {
    final String nodeId;
    final String sessionId;
    private final java.util.List<SessionSignals> streams = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Status ended;
    private Instant registered;
    private int attempts;
    private ScheduledFuture<?> deadline;
    private Runnable onExpire;

    private RegisteredNode(String nodeId, String sessionId, Instant registered, int attempts) {
      this.nodeId = nodeId;
      this.sessionId = sessionId;
      this.registered = registered;
      this.attempts = attempts;
    }

    private void arm(Duration timeout, Runnable expire) {
      this.onExpire = expire;
      rearm(timeout);
    }

    private void rearm(Duration timeout) {
      stopTimer();
      deadline = timers.schedule(this::expired, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expired() {
      // Under the lock, so that a registration replacing this entry cannot interleave with the
      // expiry action (see add); the action only queues updates and never waits.
      synchronized (RegisteredNodes.this) {
        // A heartbeat may have re-armed the timer after this run was already due.
        if (nodes.get(nodeId) != this || deadline == null || deadline.getDelay(TimeUnit.NANOSECONDS) > 0) {
          return;
        }
        onExpire.run();
      }
    }

    Duration timeLeft() {
      return deadline == null || deadline.isDone() ? Duration.ZERO
          : Duration.ofNanos(Math.max(0, deadline.getDelay(TimeUnit.NANOSECONDS)));
    }

    private void stopTimer() {
      if (deadline != null) {
        deadline.cancel(false);
      }
    }

    private void end(Status reason) {
      ended = reason;
      streams.forEach(s -> s.end(reason));
    }

    /** Connects a Session stream to this registration's change and end signals. */
    void attach(SessionSignals stream) {
      streams.add(stream);
      Status reason = ended;
      if (reason != null) {
        stream.end(reason);
      }
    }

    void detach(SessionSignals stream) {
      streams.remove(stream);
    }

    /** Asks the node's Session streams to send a fresh message. */
    void changed() {
      streams.forEach(SessionSignals::changed);
    }
  }
}
