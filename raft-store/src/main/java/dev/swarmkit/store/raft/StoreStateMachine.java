package dev.swarmkit.store.raft;

import dev.swarmkit.store.MemoryStore;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the replicated log to this member's {@link MemoryStore}: store entries go to {@link
 * MemoryStore#applyCommitted} with their log index, membership records to {@link Membership}. Ratis
 * calls {@link #applyTransaction} and {@link #takeSnapshot} from one thread in log order, so a
 * snapshot always matches the last applied index.
 *
 * <p>Snapshots are single files in the Ratis state machine directory ({@link SnapshotFile}). They are
 * loaded on start (restart) and again in {@link #reinitialize} after the leader installed one on a
 * member that was too far behind.
 */
final class StoreStateMachine extends BaseStateMachine {

  private static final Logger log = LoggerFactory.getLogger(StoreStateMachine.class);
  /** Keep the newest two snapshots: the current one and its predecessor, in case the newest is damaged. */
  private static final SnapshotRetentionPolicy RETAIN_TWO = new SnapshotRetentionPolicy() {
    @Override
    public int getNumSnapshotsRetained() {
      return 2;
    }
  };

  /** Leadership notifications, forwarded to the owning node. */
  interface Events {
    void leaderReady();

    void leaderChanged(RaftPeerId newLeader);

    /** A new data key was applied: snapshot soon, so the state is sealed with it (upstream's DEK rotation). */
    void dataKeyRotated();

    /** The log could not be written (e.g. the disk is full); Ratis takes no more entries. */
    default void logFailed(Throwable cause) {}

    /**
     * The entry this member proposed with exactly these bytes and is waiting for, or null: its own
     * entry need not be opened and parsed again.
     */
    default LogEntry ownEntry(ByteString data) {
      return null;
    }
  }

  private final MemoryStore store;
  private final Membership membership;
  private final Events events;
  private final RaftEncryption encryption;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

  /** A snapshot to start from when the storage has none (forcing a new cluster from old data). */
  record Seed(SnapshotFile file, long index) {}

  private final Seed seed;

  StoreStateMachine(MemoryStore store, Membership membership, Events events, Seed seed, RaftEncryption encryption) {
    this.store = store;
    this.encryption = encryption;
    this.membership = membership;
    this.events = events;
    this.seed = seed;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle().transition(LifeCycle.State.STARTING);
    storage.init(raftStorage);
    if (storage.getLatestSnapshot() == null && seed != null) {
      // Term 0: the new cluster's terms start again at 1 and must not be below the snapshot's.
      writeSnapshot(seed.file(), TermIndex.valueOf(0, seed.index()));
    }
    load(storage.getLatestSnapshot());
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /** Ratis pauses the state machine while it installs a snapshot received from the leader. */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** After a snapshot install: replace the store with the installed snapshot and resume. */
  @Override
  public void reinitialize() throws IOException {
    getLifeCycle().transition(LifeCycle.State.STARTING);
    load(storage.loadLatestSnapshot());
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  private void load(SingleFileSnapshotInfo info) throws IOException {
    if (info == null) {
      return;
    }
    SnapshotFile file = SnapshotFile.readFrom(info.getFile().getPath(), encryption);
    membership.restore(file.snapshot().getMembership());
    if (file.storeVersion() > store.currentVersion()) {
      store.restore(file.snapshot().getStore(), file.storeVersion());
    }
    setLastAppliedTermIndex(info.getTermIndex());
    log.info("loaded store snapshot at {} (store version {})", info.getTermIndex(), file.storeVersion());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    try {
      ByteString data = entry.getStateMachineLogEntry().getLogData();
      LogEntry own = events.ownEntry(data);
      LogEntry decoded = own != null ? own : LogEntry.decode(data, encryption);
      if (decoded instanceof LogEntry.StoreEntry s) {
        store.applyCommitted(index, s.request().getActionList());
      } else if (decoded instanceof LogEntry.MemberAdded m) {
        membership.add(m.member());
      } else if (decoded instanceof LogEntry.MemberRemoved r) {
        membership.remove(r.raftId());
      } else if (decoded instanceof LogEntry.DataKeyRotated d) {
        encryption.rotateTo(d.key());
        events.dataKeyRotated();
      }
      return CompletableFuture.completedFuture(indexMessage(index));
    } catch (IOException | RuntimeException e) {
      // Every member fails the same way on the same entry; skip it rather than wedge the log.
      log.error("raft entry {} could not be applied; skipped", index, e);
      return CompletableFuture.failedFuture(e);
    } finally {
      updateLastAppliedTermIndex(entry.getTerm(), index);
    }
  }

  /** The reply to a proposal: the index its entry was applied at. */
  private static Message indexMessage(long index) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(ByteBuffer.allocate(8).putLong(0, index)));
  }

  static long indexOf(Message reply) {
    return reply.getContent().asReadOnlyByteBuffer().getLong();
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    long start = System.nanoTime();
    writeSnapshot(SnapshotFile.of(store.currentVersion(), membership.toSnapshot(), store.snapshot()), last);
    RaftMetrics.observeSince(RaftMetrics.SNAPSHOT, start);
    storage.cleanupOldSnapshots(RETAIN_TWO);
    log.debug("store snapshot taken at {}", last);
    return last.getIndex();
  }

  private void writeSnapshot(SnapshotFile snapshot, TermIndex at) throws IOException {
    File file = storage.getSnapshotFile(at.getTerm(), at.getIndex());
    snapshot.writeTo(file.toPath(), encryption);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at));
  }

  /** What this member holds now, as a snapshot (for forcing a new cluster). */
  SnapshotFile currentState() {
    return SnapshotFile.of(store.currentVersion(), membership.toSnapshot(), store.snapshot());
  }

  /** Linearizable reads only need the read index to be applied; the caller then reads the store. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public void notifyLogFailed(Throwable cause, org.apache.ratis.proto.RaftProtos.LogEntryProto failedEntry) {
    events.logFailed(cause);
  }

  @Override
  public void notifyLeaderReady() {
    events.leaderReady();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
    events.leaderChanged(newLeader);
  }
}
