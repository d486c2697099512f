package dev.swarmkit.store.raft;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * Several Raft members in one JVM on 127.0.0.1 with short timeouts. Member {@code i} keeps its state
 * directory and port across restarts.
 */
final class TestCluster implements AutoCloseable {

  static {
    // Ratis logs a lot at INFO; keep test output to warnings.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.ratis")).setLevel(Level.WARN);
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
  }

  static final Duration HEARTBEAT = Duration.ofMillis(100);
  static final Duration ELECTION_MIN = Duration.ofMillis(500);
  static final Duration ELECTION_MAX = Duration.ofMillis(1000);
  static final Duration WAIT = Duration.ofSeconds(20);

  private final Path root;
  private final UnaryOperator<RaftConfig> tune;
  final List<RaftConfig> configs = new ArrayList<>();
  final List<RaftNode> nodes = new ArrayList<>();

  TestCluster(Path root) {
    this(root, UnaryOperator.identity());
  }

  TestCluster(Path root, UnaryOperator<RaftConfig> tune) {
    this.root = root;
    this.tune = tune;
  }

  /** Starts a cluster of {@code size} members: one bootstraps, the others join and are added. */
  static TestCluster start(Path root, int size) throws IOException {
    return start(root, size, UnaryOperator.identity());
  }

  static TestCluster start(Path root, int size, UnaryOperator<RaftConfig> tune) throws IOException {
    TestCluster c = new TestCluster(root, tune);
    c.bootstrapFirst();
    for (int i = 1; i < size; i++) {
      c.addNew();
    }
    return c;
  }

  RaftNode bootstrapFirst() throws IOException {
    RaftConfig config = newConfig();
    RaftNode node = RaftNode.bootstrap(config, MemoryStore.Options.defaults());
    configs.add(config);
    nodes.add(node);
    return node;
  }

  /** Starts a new empty member and has the leader add it; returns its index. */
  int addNew() throws IOException {
    RaftConfig config = newConfig();
    RaftNode node = RaftNode.join(config, MemoryStore.Options.defaults());
    configs.add(config);
    nodes.add(node);
    leader().addMember(config.raftId(), config.nodeId(), config.advertiseAddress());
    return nodes.size() - 1;
  }

  private RaftConfig newConfig() {
    int i = configs.size();
    String address = "127.0.0.1:" + freePort();
    RaftConfig config = RaftConfig.defaults(root.resolve("m" + i), RaftConfig.newRaftId(), "node-" + i, address)
        .withTimeouts(HEARTBEAT, ELECTION_MIN, ELECTION_MAX)
        .withProposeTimeout(Duration.ofSeconds(10));
    return tune.apply(config);
  }

  RaftNode node(int i) {
    return nodes.get(i);
  }

  /** The member that currently leads and may write, waiting for one to be elected. */
  RaftNode leader() {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
        .until(this::currentLeader, Optional::isPresent).orElseThrow();
  }

  Optional<RaftNode> currentLeader() {
    return nodes.stream().filter(n -> n != null && n.isLeader()).findFirst();
  }

  List<RaftNode> running() {
    return nodes.stream().filter(n -> n != null).toList();
  }

  void stop(int i) {
    RaftNode n = nodes.get(i);
    if (n != null) {
      n.close();
      nodes.set(i, null);
    }
  }

  RaftNode restart(int i) throws IOException {
    stop(i);
    RaftNode n = RaftNode.restart(configs.get(i), MemoryStore.Options.defaults());
    nodes.set(i, n);
    return n;
  }

  int indexOf(RaftNode node) {
    return nodes.indexOf(node);
  }

  /** Creates a node object through the leader, retrying once on a leadership change. */
  static Node nodeObject(String id) {
    return Node.newBuilder().setId(id).setDescription(NodeDescription.newBuilder().setHostname(id)).build();
  }

  void createOnLeader(String id) {
    leader().store().update(tx -> tx.create(Table.NODES, nodeObject(id)));
  }

  /** Whether {@code node}'s store holds a node object with {@code id}. */
  static boolean has(RaftNode node, String id) {
    return node.store().view(tx -> tx.get(Table.NODES, id)).isPresent();
  }

  /** Snapshot every 10 entries, keep none behind it, cut 4 KiB log segments: compaction happens fast. */
  static RaftConfig compacting(RaftConfig c) {
    return c.withSnapshots(10, 0, 4 * 1024);
  }

  /** Creates {@code count} node objects {@code prefix0..}, one entry each, through the leader. */
  void createMany(String prefix, int count) {
    for (int i = 0; i < count; i++) {
      createOnLeader(prefix + i);
    }
  }

  /** After a read index, {@code n} holds every object {@code prefix0..prefix(count-1)}. */
  static void assertHasAll(RaftNode n, String prefix, int count) {
    // Right after a restart a read index may time out while the members settle on a leader.
    await().atMost(java.time.Duration.ofSeconds(40))
        .ignoreExceptionsInstanceOf(dev.swarmkit.store.StoreException.class)
        .until(() -> {
          n.readIndex();
          return true;
        });
    for (int i = 0; i < count; i++) {
      String id = prefix + i;
      org.assertj.core.api.Assertions.assertThat(has(n, id)).as("%s on %s", id, n.nodeId()).isTrue();
    }
  }

  /** Waits until every running member holds an object with {@code id}. */
  void awaitEverywhere(String id) {
    for (RaftNode n : running()) {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
          .until(() -> n.store().view(tx -> tx.get(Table.NODES, id)).isPresent());
    }
  }

  static boolean isNotLeader(Throwable t) {
    return t instanceof StoreException.NotLeader;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.size(); i++) {
      try {
        stop(i);
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
  }
}
