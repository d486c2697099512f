package dev.swarmkit.agent;

import com.google.protobuf.ByteString;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.SessionMessage;
import dev.swarmkit.api.SubscriptionMessage;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.WeightedPeer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker agent (upstream agent.Agent): keeps a session with a manager's dispatcher, hands
 * assignments to the {@link Worker} and reports task statuses. On any session error it closes the
 * session and opens a new one, possibly with another manager, after a randomized exponential backoff
 * (100ms doubling up to 8s, reset on success; never above the heartbeat period the dispatcher last
 * gave, so that after a leader change the node tries several times within the grace the new leader
 * gives it before marking it down). One event-loop thread owns all of this state.
 *
 * <p>Stopping the agent stops driving tasks but leaves their containers running; a new agent on the
 * same state directory re-adopts them.
 */
public final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final int FAILURE_WEIGHT = -50;
  /** How often the node description is re-read; a change re-registers the node (upstream 20s). */
  static final Duration NODE_UPDATE_PERIOD = Duration.ofSeconds(20);
  /** How often a continuing failure to reach any manager is summarised in the log. */
  static final Duration OUTAGE_SUMMARY_PERIOD = Duration.ofSeconds(30);

  /** Told when the manager's view of this node or the cluster root CA changes. */
  @FunctionalInterface
  public interface NodeChangeListener {
    void changed(Node node, ByteString rootCa);
  }

  private final AgentConfig config;
  private final TaskDatabase db;
  private final StatusReporter reporter = new StatusReporter();
  private final Worker worker;
  private final ManagerRemotes remotes;
  private final LinkedBlockingQueue<Session.Event> events = new LinkedBlockingQueue<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Thread loop;
  private volatile boolean stopped;
  private volatile Node node;
  private volatile Session session;
  private List<EncryptionKey> keys = List.of();
  private final Map<String, LogSubscription> logSubscriptions = new java.util.concurrent.ConcurrentHashMap<>();
  private ByteString rootCa = ByteString.EMPTY;
  private volatile NodeChangeListener nodeChangeListener = (n, ca) -> {};
  private volatile Consumer<String> fatalListener = reason -> {};
  private final Outage outage = new Outage(OUTAGE_SUMMARY_PERIOD);

  public Agent(AgentConfig config) {
    this.config = config;
    this.db = new TaskDatabase(config.stateDir(), config.syncWrites());
    this.worker = new Worker(db, config.executor(), reporter::report);
    this.remotes = new ManagerRemotes(config.managers(), config.stateDir().resolve(ManagerRemotes.STATE_FILE));
    this.loop = new Thread(this::run, "agent");
  }

  /** Re-adopts stored tasks and starts connecting. */
  public void start() {
    worker.init();
    loop.start();
  }

  /** Sets who hears about node and root CA changes (for example to renew TLS); call before start. */
  public void onNodeChange(NodeChangeListener listener) {
    this.nodeChangeListener = listener;
  }

  /**
   * Sets who is told, with a one-line reason, when the agent stops for good on its own: this node was
   * removed from the swarm, or its event loop died. The process should then end; call before start.
   */
  public void onFatal(Consumer<String> listener) {
    this.fatalListener = listener;
  }

  /** The managers this agent knows (and keeps in {@code <state-dir>/state.json}). */
  public List<String> knownManagers() {
    return List.copyOf(remotes.weights().keySet());
  }

  /** The managers remembered in {@code stateDir} by an earlier run, if any. */
  public static List<String> rememberedManagers(java.nio.file.Path stateDir) {
    return ManagerRemotes.load(stateDir.resolve(ManagerRemotes.STATE_FILE));
  }

  /**
   * Leaves the swarm: removes all tasks and their runtime objects and accepts no more assignments.
   * Returns whether the removals finished within {@code timeout}; stop the agent afterwards.
   */
  public boolean leave(Duration timeout) throws InterruptedException {
    return worker.leave(timeout.toMillis());
  }

  /** Waits until the first session is registered. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** This node as the manager last described it, once a session has been established. */
  public Optional<Node> node() {
    return Optional.ofNullable(node);
  }

  /** The tasks this agent is driving, with their observed status. */
  public List<Task> tasks() {
    return worker.tasks();
  }

  /** The manager the current session is with, if any. */
  public Optional<String> currentManager() {
    Session s = session;
    return s == null ? Optional.empty() : Optional.of(s.address);
  }

  /** Stops the session and the task controllers; containers keep running. */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    loop.interrupt();
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.close();
    reporter.close();
    db.close();
  }

  @Override
  public void close() {
    stop();
  }

  private void run() {
    try {
      loop();
    } catch (RuntimeException | Error e) {
      if (!stopped) {
        log.error("agent stopped unexpectedly", e);
        fatalListener.accept("agent stopped unexpectedly: " + e);
      }
    }
  }

  private void loop() {
    Duration backoff = Duration.ZERO;
    NodeDescription description = describe();
    String lastFailed = null;
    Duration heartbeatPeriod = null;
    session = openSession(Duration.ZERO, "", description, null);
    long nextDescribe = System.nanoTime() + NODE_UPDATE_PERIOD.toNanos();
    try {
      while (!stopped) {
        Session.Event ev;
        try {
          ev = events.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          if (stopped) {
            throw e;
          }
          // Only stop() may end the loop: an interrupt flag left set by code run on this thread (a
          // listener, a library restoring an interrupt) would otherwise end it silently, leaving the
          // node without a session and nothing in the log.
          log.warn("agent event loop interrupted while not stopping; carrying on");
          continue;
        }
        Session current = session;
        if (System.nanoTime() >= nextDescribe) {
          nextDescribe = System.nanoTime() + NODE_UPDATE_PERIOD.toNanos();
          NodeDescription now = describe();
          if (now != null && !now.equals(description)) {
            // Re-register so the manager sees the new description.
            log.info("node description changed, re-registering");
            description = now;
            reporter.setSender(null);
            current.close();
            session = openSession(Duration.ZERO, current.sessionId(), description, null);
            continue;
          }
        }
        if (current.stalled(System.nanoTime())) {
          // Its own timers should have ended it: an event was lost. Replace the session rather than
          // wait forever (which would leave this node DOWN while every manager is up).
          log.warn("{} showed no progress within its deadline; starting a new session", current);
          events.add(new Session.Failed(current,
              Status.DEADLINE_EXCEEDED.withDescription("session stalled").asRuntimeException()));
        }
        if (outage.summaryDue(System.nanoTime())) {
          log.warn("no manager reachable {}; still retrying", outage.describe(System.nanoTime()));
        }
        if (ev == null) {
          continue;
        }
        if (ev.session() != current) {
          continue; // from a session already closed
        }
        if (ev instanceof Session.Registered) {
          backoff = Duration.ZERO;
          remotes.observe(current.address, ManagerRemotes.DEFAULT_WEIGHT);
          reporter.setSender(current::sendTaskStatuses);
          worker.reportAll(reporter::report);
          ready.countDown();
          if (outage.recovered()) {
            log.info("agent registered with {} after no manager was reachable {}", current,
                outage.describe(System.nanoTime()));
          } else {
            log.info("agent registered with {}", current);
          }
          outage.reset();
        } else if (ev instanceof Session.Message m) {
          handleSessionMessage(m.message());
        } else if (ev instanceof Session.Assignments a) {
          AssignmentsMessage msg = a.message();
          try {
            if (msg.getType() == AssignmentsMessage.Type.COMPLETE) {
              worker.assign(msg.getChangesList());
            } else {
              worker.update(msg.getChangesList());
            }
          } catch (java.io.UncheckedIOException e) {
            // The task database could not be written (a full disk, say): not the end of the agent. The
            // session is dropped and the next one brings the complete set again, as upstream's worker
            // retries after a storage error.
            events.add(new Session.Failed(current, e));
          }
        } else if (ev instanceof Session.LogSubscriptionRequest l) {
          handleLogSubscription(current, l.message());
        } else if (ev instanceof Session.Failed f) {
          if (isRemoved(f.error())) {
            String reason = "this node was removed from the swarm (manager " + current.address + ": "
                + ((StatusRuntimeException) f.error()).getStatus().getDescription()
                + "); to join again, remove the state dir " + config.stateDir()
                + " and start with --join-addr and --join-token";
            log.error(reason);
            fatalListener.accept(reason);
            return;
          }
          if (outage.failed(System.nanoTime())) {
            log.warn("{} failed: {}; reconnecting", current, describe(f.error()));
          } else {
            log.debug("{} failed: {}", current, describe(f.error()));
          }
          // The broker re-announces active subscriptions on the next session.
          logSubscriptions.values().forEach(LogSubscription::cancel);
          logSubscriptions.clear();
          reporter.setSender(null);
          current.close();
          remotes.observe(current.address, FAILURE_WEIGHT);
          lastFailed = current.address;
          heartbeatPeriod = current.heartbeatPeriod().orElse(heartbeatPeriod);
          backoff = nextBackoff(backoff, config.initialBackoff(), config.maxBackoff(), heartbeatPeriod);
          Duration delay = Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, backoff.toMillis())));
          NodeDescription now = describe();
          if (now != null) {
            description = now;
          }
          session = openSession(delay, current.sessionId(), description, lastFailed);
        }
      }
    } catch (InterruptedException e) {
      // stopping
    } finally {
      logSubscriptions.values().forEach(LogSubscription::cancel);
      Session s = session;
      if (s != null) {
        s.close();
      }
      reporter.setSender(null);
    }
  }

  private Session openSession(Duration delay, String previousSessionId, NodeDescription description,
      String avoid) {
    Optional<String> address = remotes.select(avoid);
    Session s = new Session(address.orElse(""), address.map(a -> config.channels().open(a)).orElse(null),
        previousSessionId, description, delay, config.rpcTimeout(), events);
    s.start();
    return s;
  }

  /** The manager refused this node because it was removed (upstream: "... was removed from swarm"). */
  static boolean isRemoved(Throwable e) {
    return e instanceof StatusRuntimeException sre
        && sre.getStatus().getCode() == Status.Code.PERMISSION_DENIED
        && String.valueOf(sre.getStatus().getDescription()).contains("was removed");
  }

  /** A session error in a few words: "connection refused", or the status and its description. */
  static String describe(Throwable e) {
    if (e instanceof StatusRuntimeException sre) {
      Status s = sre.getStatus();
      for (Throwable t = sre.getCause(); t != null; t = t.getCause()) {
        String m = String.valueOf(t.getMessage());
        if (m.contains("Connection refused")) {
          return "connection refused";
        }
      }
      return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }
    return e.toString();
  }

  private void handleLogSubscription(Session current, SubscriptionMessage msg) {
    if (msg.getClose()) {
      LogSubscription running = logSubscriptions.remove(msg.getId());
      if (running != null) {
        running.cancel();
      }
      return;
    }
    if (logSubscriptions.containsKey(msg.getId())) {
      return;
    }
    Node n = node;
    LogSubscription sub = new LogSubscription(msg, worker, current.logPublisher(msg.getId()),
        n == null ? "" : n.getId());
    logSubscriptions.put(msg.getId(), sub);
    sub.start();
  }

  private void handleSessionMessage(SessionMessage msg) {
    Map<String, Long> managers = new LinkedHashMap<>();
    for (WeightedPeer p : msg.getManagersList()) {
      if (!p.getPeer().getAddr().isEmpty()) {
        managers.put(p.getPeer().getAddr(), p.getWeight());
      }
    }
    remotes.replace(managers);
    boolean changed = false;
    if (msg.hasNode()) {
      Node previous = node;
      node = msg.getNode();
      if (previous == null || !sameNode(previous, node)) {
        changed = true;
        try {
          config.executor().configure(node);
        } catch (ExecutorException e) {
          log.warn("node configuration failed: {}", e.getMessage());
        }
      }
    }
    if (!msg.getRootCA().isEmpty() && !msg.getRootCA().equals(rootCa)) {
      rootCa = msg.getRootCA();
      changed = true;
    }
    if (changed && node != null) {
      try {
        nodeChangeListener.changed(node, rootCa);
      } catch (RuntimeException e) {
        log.warn("node change listener failed", e);
      }
    }
    if (!msg.getNetworkBootstrapKeysList().isEmpty() && !msg.getNetworkBootstrapKeysList().equals(keys)) {
      keys = List.copyOf(msg.getNetworkBootstrapKeysList());
      config.executor().setNetworkBootstrapKeys(keys);
    }
  }

  /** The executor's description plus the configured generic resources. */
  private NodeDescription describe() {
    try {
      NodeDescription d = config.executor().describe();
      if (config.genericResources().isEmpty()) {
        return d;
      }
      Resources res = d.getResources().toBuilder().addAllGeneric(config.genericResources()).build();
      return d.toBuilder().setResources(res).build();
    } catch (ExecutorException e) {
      log.warn("node description unavailable: {}", e.getMessage());
      return null;
    }
  }

  /** Upstream's nodesEqual: status and meta changes alone do not count. */
  private static boolean sameNode(Node a, Node b) {
    return a.toBuilder().clearStatus().clearMeta().build().equals(b.toBuilder().clearStatus().clearMeta().build());
  }

  /**
   * The backoff after one more failure: {@code initial + 2 * previous}, capped by {@code max} and by
   * the dispatcher's heartbeat period (when known). A new leader marks a node down when it has not
   * registered within a few heartbeat periods of the leader change (upstream: 2 x 3 periods); capping
   * the random delay at one period leaves the node several attempts within that grace rather than
   * one or two at 8s.
   */
  static Duration nextBackoff(Duration previous, Duration initial, Duration max, Duration heartbeatPeriod) {
    Duration cap = heartbeatPeriod == null ? max : min(max, heartbeatPeriod.compareTo(initial) < 0 ? initial
        : heartbeatPeriod);
    return min(initial.plus(previous.multipliedBy(2)), cap);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
