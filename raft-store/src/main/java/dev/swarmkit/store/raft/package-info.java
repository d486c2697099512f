/**
 * Replication of the cluster store with Apache Ratis: upstream's manager/state/raft.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@link dev.swarmkit.store.raft.RaftNode}: one manager's member. A Ratis server (gRPC
 *       transport, optional mutual TLS) with storage under {@code <state-dir>/raft}; owns the
 *       {@link dev.swarmkit.store.MemoryStore} it replicates. The Ratis peer ID is the member's raft ID
 *       in hex; the raft ID -> node ID/address mapping is replicated in the log and snapshots
 *       (upstream's {@code ClusterSnapshot}).
 *   <li>{@code StoreStateMachine}: applies committed entries in log order on every member; a store
 *       entry (upstream {@code InternalRaftRequest}) goes to {@code MemoryStore.applyCommitted(index,
 *       actions)}, so an object's version is the index of the entry that last wrote it on every member.
 *       Snapshots (upstream {@code Snapshot}: membership + {@code StoreSnapshot}) are written every
 *       {@code snapshotInterval} entries, after which the log is purged down to {@code
 *       logEntriesForSlowFollowers}; a member further behind receives the snapshot from the leader.
 *   <li>{@code RatisProposer}: the store's {@link dev.swarmkit.store.Proposer}. Proposes only on a
 *       leader that has applied every earlier entry (the store validated the transaction against its
 *       local state), else {@link dev.swarmkit.store.StoreException.NotLeader}; returns once the entry is
 *       applied locally. After a proposal whose outcome is unknown (timeout), the next one waits for
 *       the log to settle and fails with a retry message, so no transaction is validated against a
 *       state that may lack a committed entry.
 * </ul>
 *
 * <h2>Wiring (manager)</h2>
 *
 * <pre>{@code
 * RaftConfig cfg = RaftConfig.defaults(stateDir, raftId, nodeId, "0.0.0.0:4242")
 *     .withAdvertiseAddress("10.0.0.5:4242")
 *     .withTls(new GrpcTlsConfig(nodeKey, nodeCert, rootCaCert, true));   // optional
 * RaftNode raft = RaftNode.hasState(stateDir) ? RaftNode.restart(cfg, opts)
 *     : forceNewCluster ? RaftNode.forceNewCluster(cfg, opts)   // after losing the quorum
 *     : joining ? RaftNode.join(cfg, opts)          // raft ID from the leader's newMemberRaftId();
 *                                                   // the leader calls addMemberAsync(raftId, nodeId, addr)
 *     : RaftNode.bootstrap(cfg, opts);              // new cluster, this member leads
 * raft.onLeadershipChange(isLeader -> { if (isLeader) startLeaderComponents(); else stopThem(); });
 * Store store = raft.store();                        // writes: leader only; reads: local memory
 * raft.linearizableView(tx -> ...);                  // read that sees every acknowledged write
 * raft.members(); raft.leaderId(); raft.removeMember(id);
 * raft.close();
 * }</pre>
 *
 * <p>Raft IDs: upstream draws a random non-zero uint64 per member ({@link
 * dev.swarmkit.store.raft.RaftConfig#newRaftId()}) and keeps it with the member's state; a removed
 * raft ID may not rejoin. {@link dev.swarmkit.store.raft.RaftNode#forceNewCluster} recovers from a
 * lost quorum with one surviving member's data.
 */
package dev.swarmkit.store.raft;
