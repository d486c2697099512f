package dev.swarmkit.ca;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.Node;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvents;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a root CA rotation to its end (upstream's ca/reconciler.go), on the leader: every node whose
 * certificate is not yet signed by the new root is told to renew (certificate status ROTATE, which the
 * node sees in its session); once every node holds a certificate of the new root, the new root
 * becomes the cluster's root (with new join tokens, as they name the root's digest) and the rotation
 * ends. An event loop over node and cluster changes; a node that is down keeps the rotation going
 * until it comes back and renews.
 */
public final class RootRotationReconciler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RootRotationReconciler.class);
  private static final Duration SETTLE = Duration.ofMillis(200);

  private final Store store;
  private final String clusterId;
  private final Thread thread;
  private volatile boolean running = true;

  public RootRotationReconciler(Store store, String clusterId) {
    this.store = store;
    this.clusterId = clusterId;
    this.thread = new Thread(this::run, "root-rotation-reconciler");
    this.thread.setDaemon(true);
  }

  public RootRotationReconciler start() {
    thread.start();
    return this;
  }

  private void run() {
    try (Subscription events = store.watch(StoreEvents.inTables(Table.NODES, Table.CLUSTERS))) {
      reconcile();
      while (running) {
        if (events.poll(Duration.ofSeconds(5)).isPresent()) {
          // coalesce a burst of changes (e.g. many renewals) into one pass
          while (events.poll(SETTLE).isPresent()) {
            // drain
          }
        }
        reconcile();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StoreException.Closed e) {
      log.debug("root rotation reconciler stops: the store closed");
    }
  }

  void reconcile() {
    try {
      Optional<Cluster> cluster = store.view(tx -> tx.get(Table.CLUSTERS, clusterId));
      if (cluster.isEmpty() || !cluster.get().getRootCa().hasRootRotation()) {
        return;
      }
      RootCA next = RootCA.fromCertificate(cluster.get().getRootCa().getRootRotation().getCaCert().toByteArray());
      List<Node> pending = store.view(tx -> tx.all(Table.NODES)).stream()
          .filter(n -> !renewedUnder(n, next))
          .toList();
      if (pending.isEmpty()) {
        finish(next);
        return;
      }
      for (Node n : pending) {
        if (n.getCertificate().getStatus().getState() == IssuanceStatus.State.ISSUED) {
          store.update(tx -> tx.get(Table.NODES, n.getId())
              .filter(current -> current.getCertificate().getStatus().getState() == IssuanceStatus.State.ISSUED
                  && !renewedUnder(current, next))
              .ifPresent(current -> tx.update(Table.NODES, current.toBuilder().setCertificate(
                  current.getCertificate().toBuilder().setStatus(IssuanceStatus.newBuilder()
                      .setState(IssuanceStatus.State.ROTATE))).build())));
          log.info("node {} must renew its certificate under the new root CA", n.getId());
        }
      }
    } catch (StoreException.SequenceConflict e) {
      log.debug("root rotation: a node changed meanwhile; next pass");
    } catch (StoreException.NotLeader e) {
      log.debug("root rotation paused: not the leader");
    } catch (CertificateException | RuntimeException e) {
      log.warn("root rotation reconciliation failed: {}", e.toString());
    }
  }

  /** Whether the node's current certificate (as the CA issued it) was signed by {@code next} itself. */
  static boolean renewedUnder(Node node, RootCA next) {
    if (node.getCertificate().getCertificate().isEmpty()) {
      return false;
    }
    try {
      X509Certificate leaf = Pem.decodeCertificates(node.getCertificate().getCertificate().toByteArray()).get(0);
      return next.signedDirectly(leaf) && node.getCertificate().getStatus().getState() == IssuanceStatus.State.ISSUED;
    } catch (CertificateException e) {
      return false;
    }
  }

  private void finish(RootCA next) {
    store.update(tx -> {
      Cluster c = tx.get(Table.CLUSTERS, clusterId).orElseThrow();
      if (!c.getRootCa().hasRootRotation()
          || !java.util.Arrays.equals(c.getRootCa().getRootRotation().getCaCert().toByteArray(), next.certPem())) {
        return;
      }
      var rotation = c.getRootCa().getRootRotation();
      dev.swarmkit.api.RootCA root = c.getRootCa().toBuilder()
          .setCaCert(rotation.getCaCert())
          .setCaKey(rotation.getCaKey())
          .setCaCertHash(next.digest())
          .setJoinTokens(ClusterSecurity.newJoinTokens(next))
          .clearRootRotation()
          .build();
      tx.update(Table.CLUSTERS, c.toBuilder().setRootCa(root).build());
    });
    log.info("root CA rotation finished: every node holds a certificate of the new root {}", next.digest());
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
