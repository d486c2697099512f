package dev.swarmkit.bench;

import ch.qos.logback.classic.Level;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.scheduler.Scheduler;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Upstream's scheduler benchmark (manager/scheduler/scheduler_test.go, benchScheduler): an in-memory
 * store (no Raft) with N ready nodes, every third of which has the "network" network plugin, and M
 * pending tasks of one service with desired state RUNNING, created in one batch. The clock runs from
 * scheduler start until a watcher has seen every task assigned. With {@code --constraints} every task
 * is attached to a network whose driver is "network", so the plugin filter only lets a third of the
 * nodes take tasks (upstream's BenchmarkSchedulerConstraints).
 *
 * <p>Usage: {@code scripts/bench.sh scheduler --nodes N --tasks M [--constraints] [--runs K]}; prints
 * one line. Warm-up runs place at least 20,000 tasks first; scenarios of up to 10,000 tasks are then
 * timed five times (100k-task ones once) and the median is printed.
 */
public final class SchedulerBench {

  private static final String SERVICE_ID = "benchservice";

  private SchedulerBench() {}

  public static void main(String[] args) throws Exception {
    int nodes = 1000;
    int tasks = 1000;
    boolean constraints = false;
    int runs = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--constraints" -> constraints = true;
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: scheduler --nodes N --tasks M [--constraints] [--runs K]");
          System.exit(2);
        }
      }
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);

    // Warm-up (class loading, JIT): at least one run, and enough runs to place 20,000 tasks.
    int warmupTasks = Math.min(tasks, 10_000);
    for (int placed = 0; placed == 0 || placed < 20_000; placed += warmupTasks) {
      run(nodes, warmupTasks, constraints);
    }
    // Like Go's benchmark loop, small scenarios are timed over several runs; the median is reported.
    if (runs == 0) {
      runs = tasks <= 10_000 ? 5 : 1;
    }
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    for (int i = 0; i < runs; i++) {
      System.gc();
      Result r = run(nodes, tasks, constraints);
      wall[i] = r.seconds();
      cpu[i] = r.cpuSeconds();
    }
    double seconds = median(wall);
    // CPU time goes to stderr: on a shared machine it shows how much of the wall time was waiting.
    System.err.printf(Locale.ROOT,
        "scheduler runs=%d median_cpu_seconds=%.3f (whole process during the timed span) load_average=%.1f%n",
        runs, median(cpu), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(Locale.ROOT, "scheduler nodes=%d tasks=%d constraints=%s seconds=%.3f tasks_per_s=%.0f%n",
        nodes, tasks, constraints, seconds, tasks / seconds);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }

  /** Wall-clock and process CPU seconds from scheduler start to the last assignment seen. */
  record Result(double seconds, double cpuSeconds) {}

  /** One run on a fresh store. */
  static Result run(int nodeCount, int taskCount, boolean constraints) throws InterruptedException {
    // The measuring watcher must never be dropped for falling behind, so its queue holds every event.
    MemoryStore store = new MemoryStore(MemoryStore.Options.defaults()
        .withWatchQueueCapacity(Math.max(10_000, taskCount * 2 + nodeCount)));
    try {
      populate(store, nodeCount, taskCount, constraints);
      try (Subscription assignments = store.watch(SchedulerBench::isAssignment)) {
        Scheduler scheduler = new Scheduler(store);
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        scheduler.start();
        int seen = 0;
        while (seen < taskCount) {
          if (assignments.poll(Duration.ofSeconds(60)).isEmpty()) {
            throw new IllegalStateException("no assignment for 60 s; " + seen + " of " + taskCount + " assigned");
          }
          seen++;
        }
        long elapsed = System.nanoTime() - start;
        long cpu = processCpuNanos() - cpuStart;
        scheduler.stop();
        return new Result(elapsed / 1e9, cpu / 1e9);
      }
    } finally {
      store.close();
    }
  }

  private static boolean isAssignment(StoreEvent e) {
    return e.kind() == StoreEvent.Kind.UPDATE && e.table() == Table.TASKS
        && ((Task) e.newObject()).getStatus().getState() == TaskState.ASSIGNED;
  }

  private static void populate(MemoryStore store, int nodeCount, int taskCount, boolean constraints) {
    store.batch(batch -> {
      for (int i = 0; i < nodeCount; i++) {
        EngineDescription.Builder engine = EngineDescription.newBuilder();
        if (i % 3 == 0) {
          engine.addPlugins(PluginDescription.newBuilder().setName("network").setType("Network"));
        }
        Node node = Node.newBuilder()
            .setId(Identity.newId())
            .setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("name" + i)))
            .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY))
            .setDescription(NodeDescription.newBuilder().setEngine(engine))
            .build();
        batch.update(tx -> tx.create(Table.NODES, node));
      }
      for (int i = 0; i < taskCount; i++) {
        String id = "task" + i;
        Task.Builder task = Task.newBuilder()
            .setId(id)
            .setServiceId(SERVICE_ID)
            .setDesiredState(TaskState.RUNNING)
            .setServiceAnnotations(Annotations.newBuilder().setName(id))
            .setStatus(TaskStatus.newBuilder().setState(TaskState.PENDING));
        if (constraints) {
          task.addNetworks(NetworkAttachment.newBuilder()
              .setNetwork(Network.newBuilder().setDriverState(Driver.newBuilder().setName("network"))));
        }
        Task built = task.build();
        batch.update(tx -> tx.create(Table.TASKS, built));
      }
    });
  }
}
