package dev.swarmkit.swarmd;

import dev.swarmkit.api.GetRaftDataKeysRequest;
import dev.swarmkit.api.JoinRequest;
import dev.swarmkit.api.JoinResponse;
import dev.swarmkit.api.RaftDataKeysGrpc;
import dev.swarmkit.api.RaftMembershipGrpc;
import dev.swarmkit.ca.ManagerPeerTrustManager;
import dev.swarmkit.ca.NodeCertificateFiles;
import dev.swarmkit.ca.SecureChannels;
import dev.swarmkit.ca.SecurityConfig;
import dev.swarmkit.manager.raft.RaftAddresses;
import dev.swarmkit.manager.raft.RaftDataKeysService;
import dev.swarmkit.manager.raft.RaftReplication;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.raft.DataKeys;
import dev.swarmkit.store.raft.RaftConfig;
import dev.swarmkit.store.raft.RaftEncryption;
import dev.swarmkit.store.raft.RaftNode;
import io.grpc.ManagedChannel;
import org.apache.ratis.grpc.GrpcTlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a manager's Raft member in one of three ways: a new cluster (bootstrap), a manager joining
 * an existing one (RaftMembership.Join on a manager, then an empty member the leader adds), or a
 * restart from the Raft state under the state dir. The member's Raft ID is kept in
 * {@code <state-dir>/raft-id} so a restart resumes the same member. Raft traffic is mutual TLS with the
 * node's (renewing) certificate, accepting only managers of this cluster as peers.
 */
final class ManagerRaft {

  private static final Logger log = LoggerFactory.getLogger(ManagerRaft.class);
  static final String RAFT_ID_FILE = "raft-id";

  private ManagerRaft() {}

  static RaftReplication open(SwarmdConfig config, SecurityConfig security, NodeCertificateFiles files,
      String advertiseRemote, boolean newCluster) throws IOException {
    Path stateDir = config.stateDir();
    String nodeId = security.identity().nodeId();
    String listenRaft = RaftAddresses.raftOf(config.listenRemoteApi());
    String advertiseRaft = RaftAddresses.raftOf(advertiseRemote);
    GrpcTlsConfig tls = new GrpcTlsConfig(security.keyManager(),
        new ManagerPeerTrustManager(security.trustManager(), security.identity().clusterId()), true);
    RaftNode node;
    RaftEncryption encryption;
    if (config.forceNewCluster() || RaftNode.hasState(stateDir)) {
      encryption = storedKeys(files);
    } else if (newCluster) {
      encryption = RaftEncryption.with(files.raftDataKeys().map(DataKeys::decode).orElseGet(DataKeys::generate));
    } else {
      encryption = null; // fetched from the manager that admits this one, below
    }
    if (config.forceNewCluster()) {
      if (!RaftNode.hasState(stateDir)) {
        throw new IOException("--force-new-cluster needs this manager's existing raft state under " + stateDir);
      }
      long raftId = readRaftId(stateDir);
      log.warn("forcing a new single-manager cluster from the local raft state of member {}", Long.toHexString(raftId));
      node = RaftNode.forceNewCluster(raftConfig(config, raftId, nodeId, listenRaft, advertiseRaft, tls, encryption),
          MemoryStore.Options.defaults());
    } else if (RaftNode.hasState(stateDir)) {
      long raftId = readRaftId(stateDir);
      log.info("restarting raft member {} from {}", Long.toHexString(raftId), stateDir);
      node = RaftNode.restart(raftConfig(config, raftId, nodeId, listenRaft, advertiseRaft, tls, encryption),
          MemoryStore.Options.defaults());
    } else if (newCluster) {
      long raftId = RaftConfig.newRaftId();
      writeRaftId(stateDir, raftId);
      persist(files, encryption.keys().orElseThrow());
      node = RaftNode.bootstrap(raftConfig(config, raftId, nodeId, listenRaft, advertiseRaft, tls, encryption),
          MemoryStore.Options.defaults());
    } else {
      Admission admission;
      try {
        // As the certificate join: a manager that is down or slow is retried, a refusal is final.
        admission = Joiner.defaults().run(config.joinAddr(), () -> requestMembership(config, security, advertiseRaft));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("stopped while joining raft through " + config.joinAddr());
      }
      encryption = RaftEncryption.with(admission.keys());
      persist(files, admission.keys());
      writeRaftId(stateDir, admission.raftId());
      node = RaftNode.join(raftConfig(config, admission.raftId(), nodeId, listenRaft, advertiseRaft, tls, encryption),
          MemoryStore.Options.defaults());
    }
    encryption.onChange(keys -> {
      try {
        persist(files, keys);
      } catch (IOException e) {
        log.error("could not save the new raft data keys in the key file", e);
      }
    });
    RaftNode member = node;
    encryption.setKeySource(() -> keysFromPeers(member, security));
    return new RaftReplication(node);
  }

  /** The data keys in the key file; state from before encryption existed stays readable as it was. */
  private static RaftEncryption storedKeys(NodeCertificateFiles files) {
    Optional<byte[]> stored = files.raftDataKeys();
    if (stored.isEmpty()) {
      log.warn("this manager's key file holds no raft data keys: its raft state predates encryption at rest "
          + "and stays unencrypted");
      return RaftEncryption.plaintext();
    }
    return RaftEncryption.with(DataKeys.decode(stored.get()));
  }

  private static void persist(NodeCertificateFiles files, DataKeys keys) throws IOException {
    files.saveRaftDataKeys(keys.encode());
  }

  /** Asks the other managers for the current data keys (this member met a key it does not hold). */
  private static Optional<DataKeys> keysFromPeers(RaftNode node, SecurityConfig security) {
    for (var member : node.members()) {
      if (member.getRaftId() == node.raftId() || member.getAddr().isEmpty()) {
        continue;
      }
      ManagedChannel channel = SecureChannels.toManager(security,
          RaftAddresses.socketAddress(RaftAddresses.remoteApiOf(member.getAddr())));
      try {
        return Optional.of(RaftDataKeysService.keysOf(RaftDataKeysGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS).getRaftDataKeys(GetRaftDataKeysRequest.getDefaultInstance())));
      } catch (RuntimeException e) {
        log.warn("could not get the raft data keys from manager {}: {}", member.getNodeId(), e.getMessage());
      } finally {
        channel.shutdownNow();
      }
    }
    return Optional.empty();
  }

  private static RaftConfig raftConfig(SwarmdConfig config, long raftId, String nodeId, String listen,
      String advertise, GrpcTlsConfig tls, RaftEncryption encryption) {
    return RaftConfig.defaults(config.stateDir(), raftId, nodeId, listen)
        .withAdvertiseAddress(advertise)
        .withEncryption(encryption)
        .withTls(tls)
        .withTimeouts(config.raftHeartbeat(), config.raftElectionTimeout(), config.raftElectionTimeout().multipliedBy(2));
  }

  /** What a joining manager gets from the manager that admits it: its raft ID and the data keys. */
  private record Admission(long raftId, DataKeys keys) {}

  private static Admission requestMembership(SwarmdConfig config, SecurityConfig security, String advertiseRaft) {
    ManagedChannel channel = SecureChannels.toManager(security, Addresses.parse(config.joinAddr(), "--join-addr"));
    try {
      // Keys first: a manager that cannot read the log must not become a member.
      DataKeys keys = RaftDataKeysService.keysOf(RaftDataKeysGrpc.newBlockingStub(channel)
          .withDeadlineAfter(60, TimeUnit.SECONDS).getRaftDataKeys(GetRaftDataKeysRequest.getDefaultInstance()));
      JoinResponse response = RaftMembershipGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
          .join(JoinRequest.newBuilder().setAddr(advertiseRaft).build());
      log.info("joined raft as member {} of {} members", Long.toHexString(response.getRaftId()),
          response.getMembersCount());
      return new Admission(response.getRaftId(), keys);
    } finally {
      channel.shutdownNow();
    }
  }

  private static long readRaftId(Path stateDir) throws IOException {
    Path file = stateDir.resolve(RAFT_ID_FILE);
    if (!Files.exists(file)) {
      throw new IOException("raft state exists but " + file + " is missing; cannot resume this manager");
    }
    return Long.parseUnsignedLong(Files.readString(file, StandardCharsets.US_ASCII).trim(), 16);
  }

  private static void writeRaftId(Path stateDir, long raftId) throws IOException {
    Path tmp = stateDir.resolve(RAFT_ID_FILE + ".tmp");
    Files.writeString(tmp, Long.toHexString(raftId) + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, stateDir.resolve(RAFT_ID_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
