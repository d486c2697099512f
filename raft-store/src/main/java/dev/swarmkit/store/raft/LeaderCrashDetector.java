package dev.swarmkit.store.raft;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a follower campaign as soon as it knows the leader's process is gone, instead of waiting out
 * the election timeout (3-6 s by default). The proof: the leader's heartbeat is overdue and its raft
 * port refuses connections (nothing listens there: the process died or is restarting). A leader that
 * is only slow or cut off by the network still accepts or times out a connection, and is left to the
 * timeout as before. Campaigning early is always safe in Raft (votes decide, as for any election);
 * this only chooses when.
 *
 * <p>The followers take turns so that they do not split the vote: the one with the lowest ID among
 * the voters campaigns once the heartbeat is overdue, the next one a heartbeat period later if there
 * is still no new leader, and so on. Each campaigns at most once per term.
 */
final class LeaderCrashDetector {

  private static final Logger log = LoggerFactory.getLogger(LeaderCrashDetector.class);
  /** How long a connection attempt may take to tell "refused" from "no answer" on a live host. */
  private static final int CONNECT_TIMEOUT_MS = 200;

  private final RaftPeerId self;
  private final Duration electionTimeoutMin;
  private final Supplier<Optional<RaftServer.Division>> division;
  private final Supplier<RaftServer> server;
  private long campaignedInTerm = -1;

  LeaderCrashDetector(RaftPeerId self, Duration electionTimeoutMin,
      Supplier<Optional<RaftServer.Division>> division, Supplier<RaftServer> server) {
    this.self = self;
    this.electionTimeoutMin = electionTimeoutMin;
    this.division = division;
    this.server = server;
  }

  /** Looks once; called periodically on one thread. */
  void check() {
    try {
      division.get().ifPresent(this::check);
    } catch (RuntimeException e) {
      log.debug("leader crash check failed", e); // a division starting or closing
    }
  }

  private void check(RaftServer.Division d) {
    if (!d.getInfo().isFollower()) {
      return;
    }
    RaftPeerId leader = d.getInfo().getLeaderId();
    long term = d.getInfo().getCurrentTerm();
    if (leader == null || leader.equals(self) || term == campaignedInTerm) {
      return;
    }
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (!role.hasFollowerInfo() || !role.getFollowerInfo().hasLeaderInfo()) {
      return;
    }
    long silentMs = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
    List<RaftPeer> voters = List.copyOf(d.getRaftConf().getCurrentPeers());
    Optional<RaftPeer> leaderPeer = voters.stream().filter(p -> p.getId().equals(leader)).findFirst();
    List<RaftPeerId> followers = voters.stream().map(RaftPeer::getId).filter(id -> !id.equals(leader))
        .sorted(Comparator.comparing(RaftPeerId::toString)).toList();
    int rank = followers.indexOf(self);
    if (leaderPeer.isEmpty() || rank < 0 || followers.size() < voters.size() / 2 + 1) {
      return; // not a voter, or the survivors cannot elect anyone anyway
    }
    // Ratis leaders heartbeat every half minimum timeout: overdue past 0.6 of it; later ranks wait a
    // heartbeat period more each.
    long turnMs = electionTimeoutMin.toMillis() * (6 + 5L * rank) / 10;
    if (silentMs < turnMs || !refusesConnections(leaderPeer.get().getAddress())) {
      return;
    }
    TermIndex last = d.getRaftLog().getLastEntryTermIndex();
    if (last == null || last.getTerm() != term) {
      return; // Ratis only accepts the request from a follower holding an entry of the current term
    }
    campaignedInTerm = term;
    log.info("raft leader {} is gone (no heartbeat for {} ms, its raft port {} refuses connections): "
        + "campaigning now instead of after the election timeout", leader, silentMs, leaderPeer.get().getAddress());
    try {
      RaftRpcRequestProto request = RaftRpcRequestProto.newBuilder()
          .setRequestorId(leader.toByteString())
          .setReplyId(self.toByteString())
          .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(d.getGroup().getGroupId().toByteString()))
          .build();
      boolean started = server.get().startLeaderElection(StartLeaderElectionRequestProto.newBuilder()
          .setServerRequest(request)
          .setLeaderLastEntry(TermIndexProto.newBuilder().setTerm(last.getTerm()).setIndex(last.getIndex()))
          .build()).getServerReply().getSuccess();
      if (!started) {
        log.info("raft did not start the early election; the election timeout will");
      }
    } catch (IOException | RuntimeException e) {
      log.warn("could not start an early election: {}", e.toString());
    }
  }

  /** Whether nothing listens at {@code address} (host:port): the connection is refused. */
  static boolean refusesConnections(String address) {
    RatisSettings.HostPort hp;
    try {
      hp = RatisSettings.HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hp.host(), hp.port()), CONNECT_TIMEOUT_MS);
      return false;
    } catch (ConnectException e) {
      return e.getMessage() != null && e.getMessage().contains("refused");
    } catch (IOException e) {
      return false; // no answer in time, unreachable: not proof of a dead process
    }
  }
}
