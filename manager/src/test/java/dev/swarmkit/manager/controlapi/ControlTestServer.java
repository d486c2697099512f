package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A ControlService over a fresh MemoryStore, served on a loopback port so calls go through real gRPC
 * (real status codes), with fakes for Raft membership and token generation.
 */
final class ControlTestServer implements AutoCloseable {

  final MemoryStore store = new MemoryStore();
  final FakeRaft raft = new FakeRaft();
  final FakeTokens tokens = new FakeTokens();
  final ControlGrpc.ControlBlockingStub client;
  private final Server server;
  private final ManagedChannel channel;

  ControlTestServer() {
    ControlService service = new ControlService(store, raft, tokens, RootCaReconciler.keepCurrent(),
        NetworkDriverValidator.inert());
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(service.definition()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    client = ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ManagedChannel channel() {
    return channel;
  }

  /** The whole store content, for asserting that a refused call changed nothing. */
  List<Object> snapshot() {
    return store.view(tx -> {
      List<Object> all = new ArrayList<>();
      for (Table<?> table : Table.ALL) {
        all.addAll(tx.all(table));
      }
      return all;
    });
  }

  <T extends com.google.protobuf.Message> java.util.Optional<T> get(Table<T> table, String id) {
    return store.view(tx -> tx.get(table, id));
  }

  <T extends com.google.protobuf.Message> List<T> all(Table<T> table) {
    return store.view(tx -> tx.all(table));
  }

  Cluster createDefaultCluster() {
    Cluster cluster = Cluster.newBuilder().setId("cluster1")
        .setSpec(dev.swarmkit.api.ClusterSpec.newBuilder()
            .setAnnotations(dev.swarmkit.api.Annotations.newBuilder().setName("default")))
        .setRootCa(dev.swarmkit.api.RootCA.newBuilder()
            .setCaKey(com.google.protobuf.ByteString.copyFromUtf8("private key"))
            .setCaCert(com.google.protobuf.ByteString.copyFromUtf8("cert"))
            .setJoinTokens(dev.swarmkit.api.JoinTokens.newBuilder().setWorker("SWMTKN-w0").setManager("SWMTKN-m0")))
        .build();
    store.update(tx -> tx.create(Table.CLUSTERS, cluster));
    return store.view(tx -> tx.get(Table.CLUSTERS, "cluster1")).orElseThrow();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  /** Raft membership under the test's control. */
  static final class FakeRaft implements RaftMembershipView {
    final List<Member> members = new ArrayList<>();
    final Set<Long> removable = new HashSet<>();

    @Override
    public List<Member> members() {
      return members;
    }

    @Override
    public boolean canRemoveMember(long raftId) {
      return removable.contains(raftId);
    }
  }

  /** Numbered tokens and keys, so rotations are visible. */
  static final class FakeTokens implements ClusterTokenRotator {
    int issued;

    @Override
    public String newJoinToken(Cluster cluster) {
      return "SWMTKN-" + (++issued);
    }

    @Override
    public byte[] newUnlockKey() {
      return ("key-" + (++issued)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
