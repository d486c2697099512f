package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.swarmd.SwarmNode;
import dev.swarmkit.swarmd.testing.LocalPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads from {@code swarmd} processes: a bounded number of lines while a manager is
 * down, no stack traces, and a removed node that stops with the reason and a non-zero exit code.
 */
class OperatorLogTest {

  /** Lines a node may log in {@link #OUTAGE} about one crashed manager (before: about 2 a second). */
  private static final int MAX_LINES_PER_NODE = 5;
  private static final Duration OUTAGE = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final List<SwarmdProcess> processes = new ArrayList<>();
  private TestSwarm swarm;

  @AfterEach
  void tearDown() throws Exception {
    for (SwarmdProcess p : processes) {
      p.close();
    }
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  void aCrashedManagerIsReportedInABoundedNumberOfLinesWithoutStackTraces() throws Exception {
    swarm = new TestSwarm(dir); // only for swarmctl against the processes' sockets
    int p1 = LocalPorts.freePair();
    SwarmdProcess m1 = node("m1", p1, "", "");
    await().atMost(Duration.ofSeconds(60)).until(() -> swarm.swarmctl("m1", "node", "ls").exitCode() == 0);
    String managerToken = swarm.joinToken("m1", "Manager");
    SwarmdProcess m2 = node("m2", LocalPorts.freePair(), "127.0.0.1:" + p1, managerToken);
    awaitNodes(2);
    SwarmdProcess m3 = node("m3", LocalPorts.freePair(), "127.0.0.1:" + p1, managerToken);
    awaitNodes(3);
    SwarmdProcess w1 = node("w1", LocalPorts.freePair(), "127.0.0.1:" + p1, swarm.joinToken("m1", "Worker"));
    awaitNodes(4);
    await().atMost(Duration.ofSeconds(30)).until(() -> swarm.swarmctlOk("m1", "node", "ls").lines()
        .filter(l -> l.contains("REACHABLE")).count() == 3);

    List<SwarmdProcess> survivors = List.of(m1, m2, w1);
    List<Integer> marks = survivors.stream().map(p -> p.lines().size()).toList();
    m3.kill();
    Thread.sleep(OUTAGE.toMillis());

    List<String> all = new ArrayList<>();
    for (int i = 0; i < survivors.size(); i++) {
      List<String> lines = survivors.get(i).lines();
      List<String> since = lines.subList(marks.get(i), lines.size());
      all.addAll(since);
      System.out.printf("%s logged %d lines in %s after m3 crashed%n", List.of("m1", "m2", "w1").get(i),
          since.size(), OUTAGE);
      since.forEach(l -> System.out.println("  | " + l));
      assertThat(since).as("lines of %s in %s after m3 crashed", List.of("m1", "m2", "w1").get(i), OUTAGE)
          .hasSizeLessThanOrEqualTo(MAX_LINES_PER_NODE);
    }
    assertThat(all).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by") || l.startsWith("  Caused by"));
    assertThat(String.join("\n", m1.lines())).contains("at 127.0.0.1:" + portOf(3) + " unreachable");

    // Quorum loss (m2 stopped cleanly, m3 still down), then a clean shutdown of m1: expected
    // conditions, so a few lines and no stack trace.
    int m1Mark = m1.lines().size();
    int m2Mark = m2.lines().size();
    m2.stop();
    Thread.sleep(5_000);
    m1.stop();
    List<String> quorumAndShutdown = new ArrayList<>(m1.lines().subList(m1Mark, m1.lines().size()));
    quorumAndShutdown.addAll(m2.lines().subList(m2Mark, m2.lines().size()));
    System.out.printf("m1 and m2 logged %d lines on quorum loss and clean shutdown%n", quorumAndShutdown.size());
    quorumAndShutdown.forEach(l -> System.out.println("  | " + l));
    assertThat(quorumAndShutdown).hasSizeLessThanOrEqualTo(20)
        .noneMatch(l -> l.startsWith("\tat ") || l.contains("Caused by") || l.contains("ERROR") || l.isBlank());
  }

  @Test
  void aRemovedNodeStopsWithTheReasonAndANonZeroExitCode() throws Exception {
    swarm = new TestSwarm(dir);
    SwarmNode m1 = swarm.init("m1");
    SwarmdProcess w1 = node("w1", LocalPorts.freePair(), TestSwarm.remoteAddress(m1), swarm.joinToken("m1", "Worker"));
    TestSwarm.awaitReady(m1, 2);

    swarm.swarmctlOk("m1", "node", "rm", "--force", "w1");

    assertThat(w1.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
    List<String> lines = w1.lines();
    assertThat(lines.get(lines.size() - 1)).startsWith("Error: this node was removed from the swarm (manager ")
        .endsWith("); to join again, remove the state dir " + dir.resolve("w1")
            + " and start with --join-addr and --join-token");
    assertThat(lines).noneMatch(l -> l.startsWith("\tat "));
  }

  private final List<Integer> ports = new ArrayList<>();

  private int portOf(int n) {
    return ports.get(n - 1);
  }

  private SwarmdProcess node(String host, int port, String joinAddr, String token) throws Exception {
    ports.add(port);
    List<String> args = new ArrayList<>(List.of("-d", dir.resolve(host).toString(), "--hostname", host,
        "--listen-remote-api", "127.0.0.1:" + port, "--listen-control-api", swarm.socketOf(host).toString(),
        "--executor", "simulated", "--tick-interval", "100ms"));
    if (!joinAddr.isEmpty()) {
      args.addAll(List.of("--join-addr", joinAddr, "--join-token", token));
    }
    SwarmdProcess p = SwarmdProcess.start(dir.resolve("logs").resolve(host + ".log"), args.toArray(String[]::new));
    processes.add(p);
    return p;
  }

  private void awaitNodes(int count) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      TestSwarm.Result r = swarm.swarmctl("m1", "node", "ls");
      return r.exitCode() == 0 && r.out().lines().filter(l -> l.contains("READY")).count() == count;
    });
  }
}
