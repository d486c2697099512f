package dev.swarmkit.store.raft;

import dev.swarmkit.api.InternalRaftRequest;
import dev.swarmkit.api.RaftMember;
import dev.swarmkit.api.RaftMemberStatus;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This manager's member of the replicated store: a Ratis server (gRPC transport, log and snapshots
 * under {@code <state-dir>/raft}) whose state machine feeds the {@link MemoryStore} returned by {@link
 * #store()}. Writes to that store are proposed through Raft and succeed only on the leader (elsewhere
 * they fail with {@link StoreException.NotLeader}); reads are served from memory, with {@link
 * #linearizableView} when they must reflect every write acknowledged anywhere.
 *
 * <p>Start one with {@link #bootstrap} (new single-member cluster), {@link #join} (an empty member
 * that the leader then adds with {@link #addMember}) or {@link #restart} (group, term, vote, snapshot
 * and log from disk). The Ratis peer ID is the hex raft ID; the raft ID -> node ID mapping is
 * replicated with the log.
 */
public final class RaftNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

  /** One Raft group per swarm, so its ID is a constant. */
  public static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("docker.swarmkit.v1/raft".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

  private final RaftConfig config;
  private final RaftPeerId peerId;
  private final Membership membership = new Membership();
  private final MemoryStore store;
  private volatile StoreStateMachine stateMachine;
  /** Why the log cannot be written (e.g. disk full), while this member is out of Raft; else null. */
  private volatile Throwable logFailure;
  private volatile boolean closed;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  /** See {@link #proposeStore}: last log index an unsettled store proposal may occupy, or -1. */
  private final AtomicLong uncertainUpTo = new AtomicLong(-1);
  /** The store entry this member is proposing, as sent and as built, so it can apply it unparsed. */
  private final AtomicReference<OwnProposal> ownProposal = new AtomicReference<>();
  private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService listenerThread;
  private final Object leadershipLock = new Object();
  private volatile boolean leader;
  private volatile RaftServer server;

  private RaftNode(RaftConfig config, MemoryStore.Options storeOptions) {
    this(config, storeOptions, null);
  }

  private RaftNode(RaftConfig config, MemoryStore.Options storeOptions, StoreStateMachine.Seed seed) {
    this.config = config;
    this.peerId = peerIdOf(config.raftId());
    this.store = new MemoryStore(s -> new RatisProposer(this), storeOptions);
    this.stateMachine = newStateMachine(seed);
    this.listenerThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raft-leadership-" + peerId);
      t.setDaemon(true);
      return t;
    });
    // Ratis does not announce every step-down (e.g. a leader that removed itself); look each heartbeat.
    long period = Math.max(10, config.heartbeatInterval().toMillis());
    listenerThread.scheduleWithFixedDelay(this::checkStillLeader, period, period, TimeUnit.MILLISECONDS);
    LeaderCrashDetector crashes =
        new LeaderCrashDetector(peerId, config.electionTimeoutMin(), this::division, () -> server);
    listenerThread.scheduleWithFixedDelay(crashes::check, period, period, TimeUnit.MILLISECONDS);
  }

  private StoreStateMachine newStateMachine(StoreStateMachine.Seed from) {
    return new StoreStateMachine(store, membership, new StoreStateMachine.Events() {
      @Override
      public void leaderReady() {
        setLeader(true);
      }

      @Override
      public void leaderChanged(RaftPeerId newLeader) {
        if (!peerId.equals(newLeader)) {
          setLeader(false);
        }
      }

      @Override
      public void dataKeyRotated() {
        // Not on the applying thread: Ratis takes snapshots on it.
        listenerThread.execute(RaftNode.this::snapshotNow);
      }

      @Override
      public void logFailed(Throwable cause) {
        RaftNode.this.logFailed(cause);
      }

      @Override
      public LogEntry ownEntry(ByteString data) {
        OwnProposal p = ownProposal.get();
        return p != null && p.data().equals(data) ? p.entry() : null;
      }
    }, from, config.encryption());
  }

  // ---- log failures (disk full) ----------------------------------------------------------

  /**
   * Ratis' log worker failed: it accepts no entry until restarted. This member leaves Raft at once
   * (the others elect a leader without it), refuses writes with the reason, and restarts its Ratis
   * server from disk as soon as the log directory takes writes again. The in-memory store is kept:
   * replaying the log skips entries it already holds.
   */
  private void logFailed(Throwable cause) {
    synchronized (this) {
      if (logFailure != null || server == null) {
        return;
      }
      logFailure = cause;
    }
    log.error("raft member {} cannot write its log under {} ({}): leaving raft until it can write again",
        peerId, config.raftDir(), cause.toString());
    Thread recovery = new Thread(this::recoverLog, "raft-log-recovery-" + peerId);
    recovery.setDaemon(true);
    recovery.start();
  }

  /**
   * Whether the log has failed, waiting briefly for Ratis' notice when the write's own failure came
   * from I/O (a write's error can reach the caller before the log worker's notice does).
   */
  private boolean failedBecauseOfLog(StoreException writeFailure) {
    if (logFailure != null) {
      return true;
    }
    if (!causedByIo(writeFailure) && !logClosed(writeFailure)) {
      return false;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (logFailure == null && System.nanoTime() < deadline) {
      sleep(20);
    }
    return logFailure != null;
  }

  /**
   * Whether the write found Ratis' log closed: after a failed log write Ratis closes the log before
   * (or without) its notice reaching this member, and the write ends with that state error.
   */
  private static boolean logClosed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("RaftLog is expected to be opened but it is")) {
        return true;
      }
    }
    return false;
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private StoreException logFailureError() {
    Throwable failure = logFailure;
    return new StoreException.Unavailable("raft: this manager cannot write its raft log under " + config.raftDir()
        + " (" + (failure == null ? "recovered" : failure.getMessage()) + "): it left raft until it can write there"
        + " again (free disk space; it then rejoins by itself), other managers take writes meanwhile;"
        + " this write may not have been committed");
  }

  private void recoverLog() {
    RaftServer failed = server;
    try {
      if (failed != null) {
        failed.close();
      }
    } catch (IOException e) {
      log.warn("closing raft member {} after a log failure", peerId, e);
    }
    setLeader(false);
    while (!closed && server == failed) {
      if (logDirectoryWritable()) {
        try {
          synchronized (this) {
            if (closed) {
              return;
            }
            stateMachine = newStateMachine(null);
            start(RaftStorage.StartupOption.RECOVER, RaftGroup.valueOf(GROUP_ID), false);
          }
          logFailure = null;
          log.warn("raft member {} can write its log again and rejoined raft", peerId);
          return;
        } catch (IOException | RuntimeException e) {
          log.warn("raft member {} could not restart after a log failure: {}", peerId, e.toString());
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Whether a new log segment fits: a probe file of the preallocation size can be written. */
  private boolean logDirectoryWritable() {
    Path probe = config.raftDir().resolve(".space-probe");
    try {
      byte[] block = new byte[1 << 20];
      long size = Math.max(2, Math.min(config.logSegmentBytes(), 4L << 20) / block.length * 2);
      try (java.io.OutputStream out = Files.newOutputStream(probe)) {
        for (int i = 0; i < size; i++) {
          out.write(block);
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private void checkStillLeader() {
    if (leader && !division().map(this::leadsAsMember).orElse(false)) {
      setLeader(false);
    }
  }

  /**
   * Whether this member leads and is still in the configuration: a leader that removed itself stays a
   * Ratis leader of nobody, and must not write.
   */
  private boolean leadsAsMember(RaftServer.Division d) {
    return d.getInfo().isLeader()
        && d.getRaftConf().getCurrentPeers().stream().anyMatch(p -> p.getId().equals(peerId));
  }

  // ---- starting ----------------------------------------------------------------------------

  /** Whether {@code stateDir} holds Raft state from an earlier run (then use {@link #restart}). */
  public static boolean hasState(Path stateDir) {
    return Files.isDirectory(stateDir.resolve("raft").resolve(GROUP_ID.getUuid().toString()));
  }

  /**
   * Creates a new cluster with this member as its only voter, waits until it leads, and records its
   * node ID and address in the replicated membership.
   */
  public static RaftNode bootstrap(RaftConfig config, MemoryStore.Options storeOptions) throws IOException {
    requireNoState(config);
    RaftNode node = new RaftNode(config, storeOptions);
    RaftPeer self = peer(config.raftId(), config.advertiseAddress());
    node.start(RaftStorage.StartupOption.FORMAT, RaftGroup.valueOf(GROUP_ID, self), true);
    try {
      node.awaitReadyLeader(config.proposeTimeout());
      node.replicate(new LogEntry.MemberAdded(node.selfMember()));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /**
   * Starts an empty member that belongs to no configuration yet: it becomes a voter once the leader
   * calls {@link #addMember} with this member's raft ID and advertise address, and then catches up
   * from the leader's log or snapshot.
   */
  public static RaftNode join(RaftConfig config, MemoryStore.Options storeOptions) throws IOException {
    requireNoState(config);
    RaftNode node = new RaftNode(config, storeOptions);
    node.start(RaftStorage.StartupOption.FORMAT, RaftGroup.valueOf(GROUP_ID), false);
    return node;
  }

  /**
   * Restarts from {@code <state-dir>/raft}: the configuration, term and vote come from disk, the store
   * from the latest snapshot plus the log entries after it.
   */
  public static RaftNode restart(RaftConfig config, MemoryStore.Options storeOptions) throws IOException {
    if (!hasState(config.stateDir())) {
      throw new IllegalStateException("no raft state under " + config.raftDir());
    }
    RaftNode node = new RaftNode(config, storeOptions);
    node.start(RaftStorage.StartupOption.RECOVER, RaftGroup.valueOf(GROUP_ID), false);
    return node;
  }

  /**
   * Recovers a cluster that lost its quorum (upstream {@code --force-new-cluster}): replays this
   * member's own log as far as it knows entries to be committed, moves the old Raft state to {@code
   * <state-dir>/raft.old-<millis>}, and starts a new single-member cluster whose first snapshot is
   * that state. Every other member is recorded as removed; they rejoin as new members.
   */
  public static RaftNode forceNewCluster(RaftConfig config, MemoryStore.Options storeOptions) throws IOException {
    if (!hasState(config.stateDir())) {
      throw new IllegalStateException("no raft state under " + config.raftDir());
    }
    SnapshotFile state;
    long index;
    try (RaftNode old = new RaftNode(config, storeOptions)) {
      old.start(RaftStorage.StartupOption.RECOVER, RaftGroup.valueOf(GROUP_ID), false);
      index = old.awaitLocalReplay(config.proposeTimeout());
      state = old.stateMachine.currentState();
    }
    dev.swarmkit.api.ClusterSnapshot.Builder members = dev.swarmkit.api.ClusterSnapshot.newBuilder()
        .addAllRemoved(state.snapshot().getMembership().getRemovedList());
    for (RaftMember m : state.snapshot().getMembership().getMembersList()) {
      if (m.getRaftId() != config.raftId()) {
        members.addRemoved(m.getRaftId());
      }
    }
    SnapshotFile seed = new SnapshotFile(state.storeVersion(), state.snapshot().toBuilder()
        .setMembership(members).build());
    Files.move(config.raftDir(), config.stateDir().resolve("raft.old-" + System.currentTimeMillis()));

    RaftNode node = new RaftNode(config, storeOptions, new StoreStateMachine.Seed(seed, index));
    node.start(RaftStorage.StartupOption.FORMAT,
        RaftGroup.valueOf(GROUP_ID, peer(config.raftId(), config.advertiseAddress())), true);
    try {
      node.awaitReadyLeader(config.proposeTimeout());
      node.replicate(new LogEntry.MemberAdded(node.selfMember()));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    log.warn("forced a new single-member cluster from the local state at index {}", index);
    return node;
  }

  /** Waits until every entry this member knows to be committed is applied; returns that index. */
  private long awaitLocalReplay(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      RaftServer.Division d = division().orElseThrow(() -> new StoreException("raft: member is not running"));
      long committed = d.getRaftLog().getLastCommittedIndex();
      long applied = d.getInfo().getLastAppliedIndex();
      if (applied >= committed) {
        return applied;
      }
      if (System.nanoTime() > deadline) {
        throw new StoreException("raft: local log replay did not finish: applied " + applied + " of " + committed);
      }
      sleep(20);
    }
  }

  private static void requireNoState(RaftConfig config) {
    if (hasState(config.stateDir())) {
      throw new IllegalStateException("raft state already exists under " + config.raftDir() + "; restart instead");
    }
  }

  /** {@code alone}: the group is known to have this member as its only voter (see RatisSettings). */
  private void start(RaftStorage.StartupOption option, RaftGroup group, boolean alone) throws IOException {
    server = RaftServer.newBuilder()
        .setServerId(peerId)
        .setGroup(group)
        .setStateMachine(stateMachine)
        .setProperties(RatisSettings.properties(config, alone))
        .setParameters(RatisSettings.parameters(config))
        .setOption(option)
        .build();
    server.start();
    log.info("raft member {} ({}) started on {} ({})", peerId, config.nodeId(), config.listenAddress(), option);
  }

  // ---- the store ---------------------------------------------------------------------------

  /** The replicated store. Writes succeed only while this member is the leader. */
  public MemoryStore store() {
    return store;
  }

  /**
   * Waits until this member has applied every entry committed before now anywhere in the cluster
   * (Ratis read index, asked of the leader when this member follows).
   *
   * @throws StoreException.NotLeader no leader became known within the propose timeout
   */
  public void readIndex() {
    // Right after a start or an election no leader is known yet; give one the usual time to appear.
    long deadline = System.nanoTime() + config.proposeTimeout().toNanos();
    while (leaderId().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new StoreException.NotLeader(null);
      }
      sleep(20);
    }
    RaftClientRequest request = request(Message.EMPTY, RaftClientRequest.readRequestType());
    check(await(submit(request), config.proposeTimeout()));
  }

  /** Runs {@code fn} on the store after {@link #readIndex()}: it sees every acknowledged write. */
  public <R> R linearizableView(Function<ReadTx, R> fn) {
    readIndex();
    return store.view(fn);
  }

  // ---- leadership --------------------------------------------------------------------------

  /** Whether this member is the leader and has applied every earlier entry, i.e. may write. */
  public boolean isLeader() {
    return leader && division().map(this::leadsAsMember).orElse(false);
  }

  /** The current leader's raft ID, if one is known. */
  public OptionalLong leaderId() {
    RaftPeerId id = division().map(d -> d.getInfo().getLeaderId()).orElse(null);
    return id == null ? OptionalLong.empty() : OptionalLong.of(raftIdOf(id));
  }

  public long raftId() {
    return config.raftId();
  }

  public String nodeId() {
    return config.nodeId();
  }

  /**
   * Registers a listener for leadership changes. If this member already leads, the listener is told
   * so at once (on the listener thread).
   */
  public void onLeadershipChange(LeadershipListener listener) {
    synchronized (leadershipLock) {
      listeners.add(listener);
      if (leader) {
        listenerThread.execute(() -> deliver(listener, true));
      }
    }
  }

  private void setLeader(boolean now) {
    synchronized (leadershipLock) {
      if (leader == now) {
        return;
      }
      leader = now;
      uncertainUpTo.set(-1);
      log.info("raft member {} {} leadership", peerId, now ? "took" : "lost");
      for (LeadershipListener l : listeners) {
        listenerThread.execute(() -> deliver(l, now));
      }
    }
  }

  private static void deliver(LeadershipListener l, boolean isLeader) {
    try {
      l.onLeadershipChange(isLeader);
    } catch (RuntimeException e) {
      log.warn("leadership listener failed", e);
    }
  }

  void checkReadyLeader() {
    RaftServer.Division d = division().orElseThrow(() -> new StoreException.NotLeader(null));
    DivisionInfo info = d.getInfo();
    if (!leadsAsMember(d) || !info.isLeaderReady()) {
      throw new StoreException.NotLeader(leaderName(info.getLeaderId()));
    }
  }

  private void awaitReadyLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        checkReadyLeader();
        return;
      } catch (StoreException.NotLeader e) {
        if (System.nanoTime() > deadline) {
          throw new StoreException("raft: no elected cluster leader", e);
        }
      }
      sleep(20);
    }
  }

  // ---- quorum ------------------------------------------------------------------------------

  /**
   * Whether this member leads but has not heard from a majority of the voters (itself included) for
   * the minimum election timeout, i.e. two missed heartbeats: its writes cannot commit. Ratis steps
   * such a leader down only after the maximum timeout; writes are refused from here on at once.
   */
  public boolean leaderLostQuorum() {
    Optional<RaftServer.Division> division = division();
    if (division.isEmpty() || !division.get().getInfo().isLeader()) {
      return false;
    }
    RaftServer.Division d = division.get();
    // A new leader has not heard from anyone yet; give it one timeout before judging.
    if (d.getInfo().getRoleInfoProto().getRoleElapsedTimeMs() < config.electionTimeoutMin().toMillis()) {
      return false;
    }
    Quorum q = quorum(d);
    return q.reachable() < q.majority();
  }

  /**
   * Why this member cannot take a write now, worded for an operator: quorum lost (as a leader that no
   * longer hears from a majority), or no leader elected, with what to do about it.
   */
  public String unavailableReason() {
    Optional<RaftServer.Division> division = division();
    if (division.isEmpty()) {
      return "raft: this manager's raft member is stopped";
    }
    Quorum q = quorum(division.get());
    String remedy = "writes are refused until enough managers are back, and the cluster then heals by itself;"
        + " if they are gone for good, restart one manager with --force-new-cluster";
    if (leaderLostQuorum()) {
      return "raft: quorum lost: this manager (the leader) reaches " + q.reachable() + " of " + q.voters()
          + " managers and " + q.majority() + " are needed; " + remedy;
    }
    return "raft: no elected cluster leader: quorum may be lost (a leader needs " + q.majority() + " of "
        + q.voters() + " managers reachable); " + remedy;
  }

  private record Quorum(int voters, int reachable) {
    int majority() {
      return voters / 2 + 1;
    }
  }

  private Quorum quorum(RaftServer.Division d) {
    Collection<RaftPeer> voters = d.getRaftConf().getCurrentPeers();
    Map<RaftPeerId, RaftMemberStatus.Reachability> reach = reachability(d, config.electionTimeoutMin());
    int reachable = (int) voters.stream()
        .filter(p -> reach.get(p.getId()) == RaftMemberStatus.Reachability.REACHABLE).count();
    return new Quorum(Math.max(1, voters.size()), reachable);
  }

  // ---- membership --------------------------------------------------------------------------

  /**
   * Adds a manager as a voting member (leader only) and waits until the configuration including it
   * has committed, which needs the new member (started with {@link #join}) to answer at {@code
   * address} and catch up.
   */
  public void addMember(long raftId, String nodeId, String address) {
    await(addMemberAsync(raftId, nodeId, address), config.proposeTimeout().multipliedBy(2));
  }

  /**
   * Starts adding a member (leader only): records its node ID and address in the replicated
   * membership, then proposes the configuration change, which completes once the member has caught
   * up. The member may be started after this returns, as in upstream's join where the leader assigns
   * the raft ID ({@link #newMemberRaftId()}) before the new manager starts.
   */
  public CompletableFuture<Void> addMemberAsync(long raftId, String nodeId, String address) {
    checkReadyLeader();
    if (membership.isRemoved(raftId)) {
      throw new StoreException.FailedPrecondition(
          "raft: member " + Long.toHexString(raftId) + " was removed from the cluster and cannot rejoin");
    }
    replicate(new LogEntry.MemberAdded(RaftMember.newBuilder()
        .setRaftId(raftId).setNodeId(nodeId).setAddr(address).build()));
    SetConfigurationRequest.Arguments args = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInNewConf(List.of(peer(raftId, address)))
        .setMode(SetConfigurationRequest.Mode.ADD)
        .build();
    return changeConfigurationAsync(args).thenAccept(this::check);
  }

  /** A fresh random raft ID used by no current or removed member (upstream: chosen by the leader). */
  public long newMemberRaftId() {
    Collection<RaftPeer> peers = division().map(d -> d.getRaftConf().getAllPeers()).orElse(List.of());
    while (true) {
      long id = RaftConfig.newRaftId();
      boolean taken = membership.isRemoved(id) || membership.get(id).isPresent()
          || peers.stream().anyMatch(p -> p.getId().equals(peerIdOf(id)));
      if (!taken) {
        return id;
      }
    }
  }

  /**
   * Removes a member for good (leader only); its raft ID may not rejoin. Refused when the members that
   * remain reachable would no longer form a quorum of the new configuration.
   */
  public void removeMember(long raftId) {
    checkReadyLeader();
    RaftServer.Division d = division().orElseThrow();
    Collection<RaftPeer> peers = d.getRaftConf().getCurrentPeers();
    RaftPeerId target = peerIdOf(raftId);
    List<RaftPeer> remaining = new ArrayList<>();
    for (RaftPeer p : peers) {
      if (!p.getId().equals(target)) {
        remaining.add(p);
      }
    }
    if (remaining.size() == peers.size()) {
      throw new StoreException.NotFound("raft: member unknown");
    }
    Map<RaftPeerId, RaftMemberStatus.Reachability> reach = reachability(d, config.electionTimeoutMax());
    long reachable = remaining.stream()
        .filter(p -> reach.get(p.getId()) == RaftMemberStatus.Reachability.REACHABLE).count();
    if (remaining.isEmpty() || reachable <= remaining.size() / 2) {
      throw new StoreException.FailedPrecondition(
          "raft: member cannot be removed, because removing it may result in loss of quorum");
    }
    if (target.equals(peerId)) {
      // The leader cannot write once it has left; record the removal while it still can.
      replicate(new LogEntry.MemberRemoved(raftId));
      changeConfiguration(SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(remaining).build());
    } else {
      changeConfiguration(SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(remaining).build());
      replicate(new LogEntry.MemberRemoved(raftId));
    }
  }

  /**
   * The voting members with node ID, address and status as this member sees them: the leader knows
   * every member's reachability (heard from within an election timeout); a follower knows its own and
   * the leader's, the rest are UNKNOWN.
   */
  public List<RaftMember> members() {
    Optional<RaftServer.Division> division = division();
    if (division.isEmpty()) {
      return List.of();
    }
    RaftServer.Division d = division.get();
    RaftPeerId leaderId = d.getInfo().getLeaderId();
    Map<RaftPeerId, RaftMemberStatus.Reachability> reach = reachability(d, config.electionTimeoutMax());
    List<RaftMember> out = new ArrayList<>();
    for (RaftPeer p : d.getRaftConf().getCurrentPeers()) {
      long raftId = raftIdOf(p.getId());
      RaftMember known = membership.get(raftId)
          .orElse(RaftMember.newBuilder().setRaftId(raftId).setAddr(p.getAddress()).build());
      out.add(known.toBuilder().setAddr(p.getAddress())
          .setStatus(RaftMemberStatus.newBuilder()
              .setLeader(p.getId().equals(leaderId))
              .setReachability(reach.getOrDefault(p.getId(), RaftMemberStatus.Reachability.UNKNOWN)))
          .build());
    }
    out.sort((a, b) -> Long.compareUnsigned(a.getRaftId(), b.getRaftId()));
    return out;
  }

  private Map<RaftPeerId, RaftMemberStatus.Reachability> reachability(RaftServer.Division d, Duration within) {
    Map<RaftPeerId, RaftMemberStatus.Reachability> reach = new HashMap<>();
    reach.put(peerId, RaftMemberStatus.Reachability.REACHABLE);
    long limit = within.toMillis();
    RoleInfoProto role;
    try {
      role = d.getInfo().getRoleInfoProto();
    } catch (RuntimeException e) {
      // A division that is starting or closing (a restart after a log failure, say) has no role yet:
      // the others are UNKNOWN for now rather than an error for every caller.
      return reach;
    }
    List<ServerRpcProto> heard = new ArrayList<>();
    if (role.hasLeaderInfo()) {
      heard.addAll(role.getLeaderInfo().getFollowerInfoList());
    } else if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
      heard.add(role.getFollowerInfo().getLeaderInfo());
    }
    for (ServerRpcProto rpc : heard) {
      if (rpc.getId().getId().isEmpty()) {
        continue; // a follower that has not heard from a leader yet reports an empty ID
      }
      reach.put(RaftPeerId.valueOf(rpc.getId().getId()), rpc.getLastRpcElapsedTimeMs() <= limit
          ? RaftMemberStatus.Reachability.REACHABLE : RaftMemberStatus.Reachability.UNREACHABLE);
    }
    return reach;
  }

  private void changeConfiguration(SetConfigurationRequest.Arguments args) {
    check(await(changeConfigurationAsync(args), config.proposeTimeout()));
  }

  private CompletableFuture<RaftClientReply> changeConfigurationAsync(SetConfigurationRequest.Arguments args) {
    RaftServer s = server;
    if (s == null) {
      throw new StoreException.Unavailable("raft: failed to process the request: node is stopped");
    }
    SetConfigurationRequest request =
        new SetConfigurationRequest(clientId, peerId, GROUP_ID, callIds.incrementAndGet(), args);
    try {
      return s.setConfigurationAsync(request);
    } catch (IOException e) {
      throw new StoreException("raft: propose configuration change refused", e);
    }
  }

  private RaftMember selfMember() {
    return RaftMember.newBuilder()
        .setRaftId(config.raftId()).setNodeId(config.nodeId()).setAddr(config.advertiseAddress()).build();
  }

  // ---- replication plumbing ----------------------------------------------------------------

  long nextRequestId() {
    return callIds.incrementAndGet();
  }

  /**
   * Replicates a store transaction. After a proposal whose outcome is unknown (timed out or failed
   * while this member still led), its entry may yet commit, and the next transaction was validated
   * against a state without it: that next proposal first waits until every entry the log held at the
   * failure is applied, then fails so its caller re-reads and retries. A leadership change clears the
   * fence, since a new leader only writes once it has applied every earlier entry.
   */
  long proposeStore(InternalRaftRequest request) {
    if (logFailure != null) {
      throw logFailureError();
    }
    checkReadyLeader();
    if (leaderLostQuorum()) {
      throw new StoreException.Unavailable(unavailableReason());
    }
    long fence = uncertainUpTo.get();
    if (fence >= 0) {
      awaitApplied(fence, config.proposeTimeout());
      uncertainUpTo.compareAndSet(fence, -1);
      throw new StoreException("raft: the outcome of an earlier write was unknown; read again and retry");
    }
    try {
      return replicate(new LogEntry.StoreEntry(request));
    } catch (StoreException.NotLeader e) {
      // Leaving raft after a log failure ends the pending writes with "not leader": say why.
      throw failedBecauseOfLog(e) ? logFailureError() : e;
    } catch (StoreException e) {
      uncertainUpTo.set(division().map(d -> d.getRaftLog().getLastEntryTermIndex())
          .map(ti -> ti.getIndex()).orElse(0L));
      // A failed log write, or the server closing after it, may end the write before Ratis has told
      // this member its log failed: the reason is still the log.
      throw failedBecauseOfLog(e) ? logFailureError() : e;
    }
  }

  private void awaitApplied(long index, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (division().map(d -> d.getInfo().getLastAppliedIndex()).orElse(-1L) < index) {
      if (System.nanoTime() > deadline) {
        throw new StoreException("raft: entries up to " + index + " are not applied yet; retry later");
      }
      checkReadyLeader();
      sleep(10);
    }
  }

  /** Replicates one entry through the local server; returns its index once applied locally. */
  long replicate(LogEntry entry) {
    Message message = entry.toMessage(config.encryption());
    // Store entries are proposed one at a time (under the store's update lock).
    OwnProposal own = entry instanceof LogEntry.StoreEntry ? new OwnProposal(message.getContent(), entry) : null;
    if (own != null) {
      ownProposal.set(own);
    }
    try {
      RaftClientRequest request = request(message, RaftClientRequest.writeRequestType());
      RaftClientReply reply = check(awaitWrite(submit(request)));
      return StoreStateMachine.indexOf(reply.getMessage());
    } finally {
      if (own != null) {
        ownProposal.compareAndSet(own, null);
      }
    }
  }

  private record OwnProposal(ByteString data, LogEntry entry) {}

  private RaftClientRequest request(Message message, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(peerId)
        .setGroupId(GROUP_ID)
        .setCallId(callIds.incrementAndGet())
        .setMessage(message)
        .setType(type)
        .build();
  }

  private CompletableFuture<RaftClientReply> submit(RaftClientRequest request) {
    RaftServer s = server;
    if (s == null) {
      throw new StoreException.Unavailable("raft: failed to process the request: node is stopped");
    }
    try {
      return s.submitClientRequestAsync(request);
    } catch (IOException e) {
      throw failure(e);
    }
  }

  private RaftClientReply check(RaftClientReply reply) {
    if (reply.isSuccess()) {
      return reply;
    }
    throw failure(reply.getException());
  }

  private StoreException failure(Throwable e) {
    if (e instanceof NotLeaderException nle) {
      RaftPeer suggested = nle.getSuggestedLeader();
      return new StoreException.NotLeader(suggested == null ? null : leaderName(suggested.getId()));
    }
    if (e instanceof LeaderNotReadyException) {
      return new StoreException.NotLeader(null);
    }
    if (e instanceof StoreException se) {
      return se;
    }
    String message = e instanceof RaftException ? e.getMessage() : String.valueOf(e);
    return new StoreException("raft: " + message, e);
  }

  /**
   * Waits for a write to commit; gives up as soon as this leader loses its quorum (the write then
   * waits for managers that may never return) or after the propose timeout.
   */
  private <T> T awaitWrite(CompletableFuture<T> future) {
    long deadline = System.nanoTime() + config.proposeTimeout().toNanos();
    while (!future.isDone()) {
      try {
        future.get(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("raft: interrupted while waiting for the request", e);
      } catch (ExecutionException e) {
        break; // reported by await below
      } catch (TimeoutException e) {
        if (leaderLostQuorum()) {
          throw new StoreException.Unavailable(unavailableReason() + " (this write may still commit if they return)");
        }
        if (System.nanoTime() > deadline) {
          throw new StoreException.Unavailable("raft: request timed out after "
              + config.proposeTimeout().toMillis() + "ms; it may still commit");
        }
      }
    }
    return await(future, Duration.ZERO);
  }

  private <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("raft: interrupted while waiting for the request", e);
    } catch (TimeoutException e) {
      throw new StoreException.Unavailable("raft: request timed out after " + timeout.toMillis() + "ms; it may still commit");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw failure(cause);
    }
  }

  private Optional<RaftServer.Division> division() {
    RaftServer s = server;
    if (s == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(s.getDivision(GROUP_ID));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** How a leader is named in NotLeader: its node ID when known, else its hex raft ID. */
  private String leaderName(RaftPeerId id) {
    if (id == null) {
      return null;
    }
    return membership.get(raftIdOf(id)).map(RaftMember::getNodeId).filter(s -> !s.isEmpty())
        .orElse(id.toString());
  }

  // ---- data keys ---------------------------------------------------------------------------

  /**
   * Replaces the data key on every member (leader only): a rotation entry carries the new key,
   * sealed with the current one; every member then seals with it and takes a snapshot, so its state
   * on disk is sealed with the new key once the older log is compacted (upstream's DEK rotation).
   */
  public void rotateDataKey() {
    if (!config.encryption().encrypts()) {
      throw new IllegalStateException("raft data is not encrypted; there is no data key to rotate");
    }
    replicate(new LogEntry.DataKeyRotated(DataKeys.newKey()));
  }

  /** This member's data keys (for a manager that joins and must read the replicated log). */
  public RaftEncryption encryption() {
    return config.encryption();
  }

  /** Asks this member's server for a snapshot now; Ratis then purges the log up to it. */
  void snapshotNow() {
    RaftServer s = server;
    if (s == null) {
      return;
    }
    try {
      RaftClientReply reply = s.snapshotManagementAsync(SnapshotManagementRequest.newCreate(clientId, peerId,
          GROUP_ID, callIds.incrementAndGet(), config.proposeTimeout().toMillis(), 1))
          .get(config.proposeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      log.info("snapshot after data key rotation: {}", reply.isSuccess() ? "taken at " + reply.getLogIndex()
          : reply.getException());
    } catch (ExecutionException | TimeoutException e) {
      log.warn("snapshot after data key rotation failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The oldest index still in the local log (past it, entries were compacted into a snapshot). */
  long firstLogIndex() {
    return division().map(d -> d.getRaftLog().getStartIndex()).orElse(-1L);
  }

  // ---- IDs ---------------------------------------------------------------------------------

  /** The Ratis peer ID of a raft ID: its unsigned hex form, as upstream prints raft IDs. */
  public static RaftPeerId peerIdOf(long raftId) {
    return RaftPeerId.valueOf(Long.toHexString(raftId));
  }

  static long raftIdOf(RaftPeerId id) {
    return Long.parseUnsignedLong(id.toString(), 16);
  }

  private static RaftPeer peer(long raftId, String address) {
    return RaftPeer.newBuilder().setId(peerIdOf(raftId)).setAddress(address).build();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("raft: interrupted", e);
    }
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /** Stops the Ratis server (leadership is reported lost) and closes the store's watches. */
  @Override
  public void close() {
    RaftServer s;
    synchronized (this) {
      closed = true; // a log recovery in progress must not start the server again
      s = server;
      server = null;
    }
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        log.warn("closing raft member {} failed", peerId, e);
      }
    }
    setLeader(false);
    listenerThread.shutdown();
    try {
      listenerThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
