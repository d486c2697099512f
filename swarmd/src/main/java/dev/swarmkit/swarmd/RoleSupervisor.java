package dev.swarmkit.swarmd;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.ca.NodeIdentity;
import dev.swarmkit.ca.RenewalSupervisor;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.manager.Manager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows this node's role without a restart (upstream node.superviseManager): when the manager says
 * the node's role changed, the certificate is renewed until it carries the new role; when the
 * certificate says manager and no manager runs, a manager is started that joins the Raft cluster
 * through a known manager; when it says worker and a manager runs, the manager is stopped and the
 * node's Raft state is deleted (the leader removed its member already), so a later promotion joins
 * afresh. One thread applies the changes; failed starts are retried.
 */
final class RoleSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoleSupervisor.class);
  private static final Duration RETRY = Duration.ofSeconds(1);

  /** Starts a manager that joins the swarm's Raft cluster through the manager at {@code joinAddr}. */
  @FunctionalInterface
  interface ManagerLauncher {
    Manager launch(String joinAddr) throws Exception;

    /** After a demotion stopped the manager and removed its Raft state (e.g. drop manager-only secrets). */
    default void demoted() throws IOException {}
  }

  private final Path stateDir;
  private final SecurityConfig security;
  private final ManagerLauncher launcher;
  private final Supplier<Optional<String>> joinVia;
  private final Thread thread;
  private final Object lock = new Object();
  private volatile Manager manager;
  private volatile RenewalSupervisor renewal;
  private boolean changed;
  private NodeRole lastSeenRole;
  private volatile boolean closed;
  private volatile java.util.function.Consumer<String> fatal = reason -> {};

  /**
   * @param running the manager started with the node, or null
   * @param joinVia a manager to join Raft through when promoted (the agent's current manager)
   */
  RoleSupervisor(Path stateDir, SecurityConfig security, Manager running, ManagerLauncher launcher,
      Supplier<Optional<String>> joinVia) {
    this.stateDir = stateDir;
    this.security = security;
    this.manager = running;
    this.launcher = launcher;
    this.joinVia = joinVia;
    this.lastSeenRole = security.identity().apiRole();
    this.thread = new Thread(this::run, "role-supervisor");
    this.thread.setDaemon(true);
  }

  /** Starts following certificate changes; {@code renewal} renews when the role changes. */
  RoleSupervisor start(RenewalSupervisor renewal) {
    this.renewal = renewal;
    security.addListener(this::certificateChanged);
    thread.start();
    return this;
  }

  /** Sets who is told when the supervisor thread dies, so the node does not live on without it. */
  void onFatal(java.util.function.Consumer<String> listener) {
    this.fatal = listener;
  }

  /** The manager running on this node, if its certificate says manager. */
  Optional<Manager> manager() {
    return Optional.ofNullable(manager);
  }

  /**
   * The manager's view of this node (from the agent's session). A change of its role (edge-triggered,
   * as upstream, so repeated node updates do not renew again) makes the renewal supervisor renew until
   * the certificate carries that role.
   */
  void nodeChanged(Node node) {
    NodeRole role = node.getRole();
    RenewalSupervisor r = renewal;
    if (r == null || (role != NodeRole.MANAGER && role != NodeRole.WORKER)) {
      return;
    }
    synchronized (lock) {
      if (role == lastSeenRole) {
        return;
      }
      lastSeenRole = role;
    }
    if (role != security.identity().apiRole()) {
      log.info("node role changed to {}; renewing the certificate", role);
    }
    r.roleChanged(role);
  }

  private void certificateChanged(NodeIdentity identity) {
    synchronized (lock) {
      changed = true;
      lock.notifyAll();
    }
  }

  private void run() {
    try {
      loop();
    } catch (RuntimeException | Error e) {
      log.error("role supervisor stopped unexpectedly", e);
      fatal.accept("role supervisor stopped unexpectedly: " + e);
    }
  }

  private void loop() {
    while (!closed) {
      boolean inSync;
      try {
        inSync = reconcile();
      } catch (RuntimeException e) {
        log.warn("role change failed: {}", e.toString());
        inSync = false;
      }
      try {
        synchronized (lock) {
          if (!changed && !closed) {
            lock.wait(inSync ? 0 : RETRY.toMillis());
          }
          changed = false;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Starts or stops the manager to match the certificate; false when a start must be retried. */
  private boolean reconcile() {
    boolean certSaysManager = security.identity().isManager();
    Manager running = manager;
    if (certSaysManager && running == null) {
      return promote();
    }
    if (!certSaysManager && running != null) {
      demote(running);
    }
    return true;
  }

  private boolean promote() {
    Optional<String> via = joinVia.get();
    if (via.isEmpty()) {
      log.info("promoted to manager, but no manager is known to join raft through yet");
      return false;
    }
    log.info("promoted to manager: joining raft through {}", via.get());
    try {
      // Raft state left from an earlier membership belongs to a member the leader has removed.
      deleteRaftState();
      Manager started = launcher.launch(via.get());
      synchronized (lock) {
        if (closed) {
          started.close();
          return true;
        }
        manager = started;
      }
      return true;
    } catch (Exception e) {
      log.warn("could not start the manager after promotion, retrying: {}", e.toString());
      return false;
    }
  }

  private void demote(Manager running) {
    log.info("demoted to worker: stopping the manager and removing its raft state");
    running.close();
    try {
      deleteRaftState();
      launcher.demoted();
    } catch (IOException e) {
      log.warn("could not remove raft state under {}: {}", stateDir, e.toString());
    }
    manager = null;
  }

  /** Removes {@code <state-dir>/raft} and {@code <state-dir>/raft-id}. */
  void deleteRaftState() throws IOException {
    Path raft = stateDir.resolve("raft");
    if (Files.exists(raft)) {
      List<Path> paths;
      try (Stream<Path> walk = Files.walk(raft)) {
        paths = walk.sorted(Comparator.reverseOrder()).toList();
      }
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(stateDir.resolve(ManagerRaft.RAFT_ID_FILE));
  }

  /** Stops following role changes and stops the manager, if one runs. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The supervisor thread no longer publishes a manager once closed; stop the one published.
    Manager running;
    synchronized (lock) {
      running = manager;
      manager = null;
    }
    if (running != null) {
      running.close();
    }
  }
}
