package dev.swarmkit.manager.role;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.manager.Replication;
import dev.swarmkit.manager.controlapi.RaftMembershipView;
import dev.swarmkit.manager.raft.RaftReplication;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-only reconciliation of node roles with their desired roles (upstream's roleManager). A
 * promotion sets {@code node.role = MANAGER} at once, so the CA issues a manager certificate on the
 * node's next renewal. A demotion first removes the node's Raft member (only while the remaining
 * members keep a quorum) and then sets {@code node.role = WORKER}. A deleted node that is still a Raft
 * member is evicted. Changes that cannot be applied yet are retried every reconcile interval.
 */
public final class RoleManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoleManager.class);
  /** Upstream's roleReconcileInterval. */
  public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(5);

  /** Removes a member from the Raft configuration (leader only); throws when that is not possible. */
  @FunctionalInterface
  public interface MemberRemover {
    void remove(long raftId);
  }

  private final Store store;
  private final RaftMembershipView members;
  private final MemberRemover remover;
  private final Duration reconcileInterval;
  private final Map<String, Node> pendingReconciliation = new LinkedHashMap<>();
  private final Set<String> pendingRemoval = new LinkedHashSet<>();
  private volatile boolean running;
  private Thread loop;

  public RoleManager(Store store, RaftMembershipView members, MemberRemover remover, Duration reconcileInterval) {
    this.store = store;
    this.members = members;
    this.remover = remover;
    this.reconcileInterval = reconcileInterval;
  }

  /** A role manager for a manager's replication; without Raft no member can be removed. */
  public static RoleManager forReplication(Store store, Replication replication) {
    MemberRemover remover = replication instanceof RaftReplication raft
        ? raft.raft()::removeMember
        : raftId -> {
          throw new StoreException.FailedPrecondition("no raft membership to remove a member from");
        };
    return new RoleManager(store, replication.membership(), remover, DEFAULT_RECONCILE_INTERVAL);
  }

  public synchronized RoleManager start() {
    if (running) {
      return this;
    }
    running = true;
    Store.ViewAndWatch<List<Node>> initial = store.viewAndWatch(tx -> tx.all(Table.NODES),
        e -> e.table() == Table.NODES
            && (e.kind() == StoreEvent.Kind.UPDATE || e.kind() == StoreEvent.Kind.DELETE));
    loop = new Thread(() -> run(initial.result(), initial.subscription()), "role-manager");
    loop.setDaemon(true);
    loop.start();
    return this;
  }

  private void run(List<Node> nodes, Subscription watch) {
    try (watch) {
      // Every member whose node object is gone must leave the Raft cluster.
      for (RaftMembershipView.Member m : members.members()) {
        pendingRemoval.add(m.nodeId());
      }
      for (Node node : nodes) {
        pendingRemoval.remove(node.getId());
        pendingReconciliation.put(node.getId(), node);
        reconcileRole(node);
      }
      for (String nodeId : List.copyOf(pendingRemoval)) {
        evictRemovedNode(nodeId);
      }
      while (running) {
        boolean pending = !pendingReconciliation.isEmpty() || !pendingRemoval.isEmpty();
        Optional<StoreEvent> event = watch.poll(pending ? reconcileInterval : Duration.ofSeconds(1));
        if (event.isPresent()) {
          handle(event.get());
        } else if (pending) {
          retryPending();
        }
      }
    } catch (InterruptedException | StoreException.Closed e) {
      // stopping
    } catch (RuntimeException e) {
      if (running) {
        log.error("role manager stopped", e);
      }
    }
  }

  private void handle(StoreEvent event) {
    Node node = (Node) event.object();
    if (event.kind() == StoreEvent.Kind.DELETE) {
      pendingReconciliation.remove(node.getId());
      pendingRemoval.add(node.getId());
      evictRemovedNode(node.getId());
    } else {
      pendingReconciliation.put(node.getId(), node);
      reconcileRole(node);
    }
  }

  private void retryPending() {
    for (Node node : List.copyOf(pendingReconciliation.values())) {
      reconcileRole(node);
    }
    for (String nodeId : List.copyOf(pendingRemoval)) {
      evictRemovedNode(nodeId);
    }
  }

  private void reconcileRole(Node node) {
    NodeRole desired = node.getSpec().getDesiredRole();
    if (node.getRole() == desired) {
      pendingReconciliation.remove(node.getId());
      return;
    }
    if (desired == NodeRole.MANAGER && node.getRole() == NodeRole.WORKER) {
      if (setRole(node, NodeRole.MANAGER)) {
        log.info("node {} promoted: role set to manager", node.getId());
        pendingReconciliation.remove(node.getId());
      }
    } else if (desired == NodeRole.WORKER && node.getRole() == NodeRole.MANAGER) {
      Optional<RaftMembershipView.Member> member = members.memberByNodeId(node.getId());
      if (member.isPresent()) {
        // Leave the Raft cluster first; the role follows once the member is gone.
        if (!removeMember(member.get())) {
          return;
        }
        if (members.memberByNodeId(node.getId()).isPresent()) {
          return;
        }
      }
      if (setRole(node, NodeRole.WORKER)) {
        log.info("node {} demoted: role set to worker", node.getId());
        pendingReconciliation.remove(node.getId());
      }
    }
  }

  /** Sets the role unless the node changed meanwhile (then its update event reconciles it again). */
  private boolean setRole(Node seen, NodeRole role) {
    try {
      store.update(tx -> tx.get(Table.NODES, seen.getId()).ifPresent(current -> {
        if (current.getSpec().getDesiredRole() == seen.getSpec().getDesiredRole()
            && current.getRole() == seen.getRole()) {
          tx.update(Table.NODES, current.toBuilder().setRole(role).build());
        }
      }));
      return true;
    } catch (StoreException.NotLeader e) {
      // E.g. this leader just removed its own member; the next leader finishes the change.
      log.info("could not set role of node {} to {}: no longer the leader", seen.getId(), role);
      return false;
    } catch (StoreException e) {
      log.warn("failed to set role of node {} to {}: {}", seen.getId(), role, e.getMessage());
      return false;
    }
  }

  private void evictRemovedNode(String nodeId) {
    Optional<RaftMembershipView.Member> member = members.memberByNodeId(nodeId);
    if (member.isPresent()) {
      removeMember(member.get());
      return;
    }
    pendingRemoval.remove(nodeId);
  }

  /** Whether the member was removed; a removal that would lose quorum waits for a later retry. */
  private boolean removeMember(RaftMembershipView.Member member) {
    long raftId = member.status().getRaftId();
    if (!members.canRemoveMember(raftId)) {
      log.debug("can't demote node {} at this time: removing member from raft would result in a loss "
          + "of quorum", member.nodeId());
      return false;
    }
    try {
      remover.remove(raftId);
      log.info("removed raft member {} of node {}", Long.toHexString(raftId), member.nodeId());
      return true;
    } catch (RuntimeException e) {
      log.debug("can't demote node {} at this time: {}", member.nodeId(), e.getMessage());
      return false;
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = loop;
      loop = null;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
