package dev.swarmkit.swarmd;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.EncryptionKey;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.Roles;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.StoreEvents;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.raft.RaftNode;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a manager's key file sealed as the cluster says (upstream's manager key-encryption watcher):
 * with autolock on, sealed with the cluster's current manager unlock key; with it off, not sealed.
 * Turning autolock on or rotating the key thus re-encrypts the key file of every running manager
 * without a restart. When autolock turns on, the leader also rotates the Raft data key, since the old
 * one lay unsealed on disk until then (as upstream's DEK rotation on KEK change). An event loop over
 * the store's cluster events; it ends when the manager's store closes.
 */
final class KeyFileLocker {

  private static final Logger log = LoggerFactory.getLogger(KeyFileLocker.class);

  private final MemoryStore store;
  private final NodeCertificateFiles files;
  private final RaftNode raft;

  private KeyFileLocker(MemoryStore store, NodeCertificateFiles files, RaftNode raft) {
    this.store = store;
    this.files = files;
    this.raft = raft;
  }

  static void start(MemoryStore store, NodeCertificateFiles files, RaftNode raft) {
    KeyFileLocker locker = new KeyFileLocker(store, files, raft);
    Thread t = new Thread(locker::run, "key-file-locker");
    t.setDaemon(true);
    t.start();
  }

  private void run() {
    Store.ViewAndWatch<List<Cluster>> start = store.viewAndWatch(tx -> tx.all(Table.CLUSTERS),
        StoreEvents.inTables(Table.CLUSTERS));
    try (Subscription events = start.subscription()) {
      start.result().forEach(this::apply);
      while (true) {
        StoreEvent event = events.take();
        if (event.newObject() instanceof Cluster cluster) {
          apply(cluster);
        }
      }
    } catch (StoreException.Closed e) {
      log.debug("key file locker stops: the store closed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("key file locker failed; the key file is no longer kept in step with autolock", e);
    }
  }

  private void apply(Cluster cluster) {
    byte[] key = unlockKey(cluster).orElse(null);
    boolean wasSealed = !files.lockedWith(null);
    if (files.lockedWith(key)) {
      return;
    }
    try {
      files.relock(key, cluster.getMeta().getVersion().getIndex());
      log.info(key == null ? "autolock is off: key file no longer sealed" : "key file sealed with the unlock key");
    } catch (IOException e) {
      log.error("could not re-encrypt the key file", e);
      return;
    }
    if (key != null && !wasSealed && raft.isLeader()) {
      try {
        raft.rotateDataKey();
        log.info("rotated the raft data key: the previous one was stored unsealed");
      } catch (RuntimeException e) {
        log.warn("could not rotate the raft data key after autolock was turned on", e);
      }
    }
  }

  static Optional<byte[]> unlockKey(Cluster cluster) {
    if (!cluster.getSpec().getEncryptionConfig().getAutoLockManagers()) {
      return Optional.empty();
    }
    return cluster.getUnlockKeysList().stream()
        .filter(k -> Roles.MANAGER.equals(k.getSubsystem()))
        .map(EncryptionKey::getKey)
        .filter(k -> !k.isEmpty())
        .map(com.google.protobuf.ByteString::toByteArray)
        .findFirst();
  }
}
