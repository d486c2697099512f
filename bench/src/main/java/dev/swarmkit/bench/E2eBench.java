package dev.swarmkit.bench;

import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmctl.Environment;
import dev.swarmkit.swarmctl.SwarmctlMain;
import dev.swarmkit.swarmd.SwarmNode;
import dev.swarmkit.swarmd.SwarmdConfig;
import dev.swarmkit.swarmd.testing.LocalPorts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End to end with Docker, the scenario measured on upstream: one manager and two workers (real
 * nodes in this JVM, mutual TLS, one shared local Docker engine), then {@code swarmctl service
 * create --replicas R}; the timer runs from the create call until every task is RUNNING in the
 * manager's store. Prints {@code e2e managers=1 workers=2 replicas=R seconds=S}.
 *
 * <p>Usage: {@code scripts/bench.sh e2e [--replicas 50] [--image local/busybox:1]}.
 */
public final class E2eBench {

  private E2eBench() {}

  public static void main(String[] args) throws Exception {
    int replicas = 50;
    String image = "local/busybox:1";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--image" -> image = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path root = Files.createTempDirectory("e2e-bench");
    List<SwarmNode> nodes = new ArrayList<>();
    try {
      SwarmNode manager = SwarmNode.start(config(root, "node-1", "", ""));
      nodes.add(manager);
      String socket = root.resolve("node-1/swarm.sock").toString();
      String inspect = swarmctl(socket, "cluster", "inspect", "default");
      Matcher m = Pattern.compile("Worker: (SWMTKN-\\S+)").matcher(inspect);
      if (!m.find()) {
        throw new IllegalStateException("no worker token in:\n" + inspect);
      }
      String join = "127.0.0.1:" + manager.manager().orElseThrow().remotePort();
      nodes.add(SwarmNode.start(config(root, "node-2", join, m.group(1))));
      nodes.add(SwarmNode.start(config(root, "node-3", join, m.group(1))));
      awaitReadyNodes(manager, 3);

      long start = System.nanoTime();
      swarmctl(socket, "service", "create", "--name", "bench", "--image", image, "--replicas",
          String.valueOf(replicas), "--command", "sleep", "--args", "3600");
      while (running(manager) < replicas) {
        if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("only " + running(manager) + " of " + replicas + " running after 10 min");
        }
        Thread.sleep(50);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("e2e managers=1 workers=2 replicas=%d seconds=%.2f%n", replicas, seconds);
      swarmctl(socket, "service", "rm", "bench");
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (tasks(manager) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
    System.exit(0);
  }

  private static long running(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).count();
  }

  private static long tasks(SwarmNode manager) {
    List<Task> tasks = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.TASKS));
    return tasks.size();
  }

  private static void awaitReadyNodes(SwarmNode manager, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      long ready = manager.manager().orElseThrow().store().view(tx -> tx.all(Table.NODES)).stream()
          .filter(n -> n.getStatus().getState() == dev.swarmkit.api.NodeStatus.State.READY).count();
      if (ready >= count) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("nodes did not become ready");
  }

  private static SwarmdConfig config(Path root, String hostname, String join, String token) throws IOException {
    return new SwarmdConfig(root.resolve(hostname), join, token, hostname, "127.0.0.1:" + LocalPorts.freePair(), "",
        root.resolve(hostname).resolve("swarm.sock"), "unix:///var/run/docker.sock", "", false,
        Duration.ofMillis(200), Duration.ofSeconds(2), "warn", "docker");
  }

  private static String swarmctl(String socket, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SwarmctlMain.run(new Environment(new PrintWriter(out, true), new PrintWriter(err, true),
        new ByteArrayInputStream(new byte[0]), Map.of("SWARM_SOCKET", socket), Clock.systemUTC()), args);
    if (code != 0) {
      throw new IllegalStateException("swarmctl " + String.join(" ", args) + " failed: " + err);
    }
    return out.toString();
  }

}
