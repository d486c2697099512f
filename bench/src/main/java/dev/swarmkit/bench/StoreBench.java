package dev.swarmkit.bench;

import ch.qos.logback.classic.Level;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.raft.RaftConfig;
import dev.swarmkit.store.raft.RaftNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The replicated store on a 3-manager loopback cluster (Ratis over gRPC, logs on local disk):
 * committed single-object updates per second (one writer, then N concurrent writers), batched creates,
 * commit latency percentiles, and in-memory view reads per second on the leader and a follower.
 *
 * <p>Each update reads a node object and writes it back with a changed spec, so it is a real
 * read-validate-commit cycle: the call returns once the entry is committed by a majority and applied
 * on the leader.
 */
public final class StoreBench {

  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int objects = 1_000;
    int updates = 2_000;
    int writers = 8;
    int batchObjects = 20_000;
    int readSeconds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--objects" -> objects = Integer.parseInt(args[++i]);
        case "--updates" -> updates = Integer.parseInt(args[++i]);
        case "--writers" -> writers = Integer.parseInt(args[++i]);
        case "--batch-objects" -> batchObjects = Integer.parseInt(args[++i]);
        case "--read-seconds" -> readSeconds = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: store [--objects N] [--updates N] [--writers N] [--batch-objects N] [--read-seconds S]");
          System.exit(2);
        }
      }
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    // Ratis warns about every connection torn down at shutdown; keep stderr for real problems.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.ratis")).setLevel(Level.ERROR);
    Path dir = Files.createTempDirectory("storebench");
    List<RaftNode> members = new ArrayList<>();
    try {
      members.add(RaftNode.bootstrap(config(dir, 0), MemoryStore.Options.defaults()));
      for (int i = 1; i < 3; i++) {
        RaftConfig c = config(dir, i);
        members.add(RaftNode.join(c, MemoryStore.Options.defaults()));
        members.get(0).addMember(c.raftId(), c.nodeId(), c.advertiseAddress());
      }
      RaftNode leader = members.get(0);
      Store store = leader.store();

      long t0 = System.nanoTime();
      createBatch(store, "seed-", objects);
      report("seed batch", objects, System.nanoTime() - t0, null);

      runUpdates(store, "sequential updates (1 writer)", objects, updates, 1);
      runUpdates(store, "concurrent updates (" + writers + " writers)", objects, updates, writers);

      t0 = System.nanoTime();
      createBatch(store, "batch-", batchObjects);
      report("batched creates (store.batch)", batchObjects, System.nanoTime() - t0, null);

      RaftNode follower = members.get(1);
      follower.readIndex();
      runReads(leader.store(), "view reads on the leader (1 thread)", objects, readSeconds, 1);
      runReads(follower.store(), "view reads on a follower (2 threads)", objects, readSeconds, 2);
      long r0 = System.nanoTime();
      int linearizable = 500;
      for (int i = 0; i < linearizable; i++) {
        follower.readIndex();
      }
      report("linearizable read-index round trips on a follower", linearizable, System.nanoTime() - r0, null);
      System.err.printf(Locale.ROOT, "load_average=%.1f cpus=%d%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
    } finally {
      for (RaftNode m : members) {
        m.close();
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static RaftConfig config(Path dir, int i) throws IOException {
    String address = "127.0.0.1:" + freePort();
    return RaftConfig.defaults(dir.resolve("m" + i), RaftConfig.newRaftId(), "bench-" + i, address)
        .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  private static void createBatch(Store store, String prefix, int count) {
    store.batch(b -> {
      for (int i = 0; i < count; i++) {
        Node n = node(prefix + i);
        b.update(tx -> tx.create(Table.NODES, n));
      }
    });
  }

  private static void runUpdates(Store store, String label, int objects, int updates, int writers)
      throws InterruptedException {
    long[] latencies = new long[updates];
    AtomicLong next = new AtomicLong();
    Thread[] threads = new Thread[writers];
    long t0 = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      threads[w] = new Thread(() -> {
        long i;
        while ((i = next.getAndIncrement()) < updates) {
          String id = "seed-" + (i % objects);
          NodeSpec.Availability availability =
              i % 2 == 0 ? NodeSpec.Availability.PAUSE : NodeSpec.Availability.ACTIVE;
          long s = System.nanoTime();
          store.update(tx -> {
            Node n = tx.get(Table.NODES, id).orElseThrow();
            tx.update(Table.NODES, n.toBuilder().setSpec(n.getSpec().toBuilder().setAvailability(availability)).build());
          });
          latencies[(int) i] = System.nanoTime() - s;
        }
      });
      threads[w].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    report(label, updates, System.nanoTime() - t0, latencies);
  }

  private static void runReads(Store store, String label, int objects, int seconds, int threads)
      throws InterruptedException {
    AtomicLong reads = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    Thread[] ts = new Thread[threads];
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      ts[t] = new Thread(() -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long n = 0;
        while ((n & 1023) != 0 || System.nanoTime() < end) {
          String id = "seed-" + r.nextInt(objects);
          if (store.view(tx -> tx.get(Table.NODES, id)).isEmpty()) {
            throw new IllegalStateException("missing " + id);
          }
          n++;
        }
        reads.addAndGet(n);
      });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    report(label, reads.get(), System.nanoTime() - t0, null);
  }

  private static void report(String label, long ops, long nanos, long[] latencies) {
    double seconds = nanos / 1e9;
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-52s %9d ops %8.2f s %11.0f ops/s",
        label, ops, seconds, ops / seconds));
    if (latencies != null) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      line.append(String.format(Locale.ROOT, "  p50 %.2f ms  p99 %.2f ms",
          sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)] / 1e6));
    }
    System.out.println(line);
  }

  private static Node node(String id) {
    return Node.newBuilder().setId(id).setDescription(NodeDescription.newBuilder().setHostname(id)).build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
