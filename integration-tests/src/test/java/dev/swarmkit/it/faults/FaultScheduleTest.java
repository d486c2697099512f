package dev.swarmkit.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three managers (real swarmd processes, default timings) under a seeded random schedule of faults
 * while clients write through all of them; afterwards every replica is identical and holds every
 * acknowledged write. The short schedule runs in every build; {@code -Dfaults.rounds=1000} runs a
 * long one with a random seed, and {@code -Dfaults.seed=N} replays a run.
 */
class FaultScheduleTest {

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveASeededScheduleOfFaultsOnEveryManager() throws Exception {
    int rounds = Integer.getInteger("faults.rounds", 6);
    long seed = Long.getLong("faults.seed", System.getProperty("faults.rounds") == null
        ? 1L : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    System.out.printf("faults: seed %d, %d rounds (replay with -Dfaults.seed=%d -Dfaults.rounds=%d)%n",
        seed, rounds, seed, rounds);
    Path probe = dir.resolve("tmpfs-probe");
    Files.createDirectories(probe);
    boolean tmpfs = FaultSwarm.mountTmpfs(probe, "1m");
    if (tmpfs) {
      new ProcessBuilder("umount", probe.toString()).start().waitFor();
    } else {
      System.out.println("faults: mounting a tmpfs is not permitted here; disk-full faults are skipped");
    }
    try (FaultSwarm swarm = new FaultSwarm(dir, List.of()).start(3, tmpfs)) {
      FaultSchedule.Report report;
      Workload workload = new Workload(swarm, 3, seed).start();
      try {
        report = new FaultSchedule(swarm, workload, seed, tmpfs).run(rounds);
      } finally {
        workload.close();
      }
      List<FaultSwarm.Member> all = swarm.members();
      // Replicas converge once the last writes are applied everywhere.
      StoreChecker.awaitIdenticalReplicas(all, Duration.ofSeconds(120));
      Map<String, StoreChecker.Replica> replicas = StoreChecker.perMember(all, StoreChecker::read);
      for (Map.Entry<String, StoreChecker.Replica> e : replicas.entrySet()) {
        assertThat(StoreChecker.violations(e.getValue(), workload)).as("seed %d, replica of %s", seed, e.getKey())
            .isEmpty();
      }
      Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
          .untilAsserted(() -> assertThat(StoreChecker.taskViolations(StoreChecker.read(all.get(0)))).isEmpty());

      List<Workload.Call> calls = workload.calls();
      long acked = calls.stream().filter(c -> c.code() == Status.Code.OK).count();
      Map<Status.Code, Long> failed = calls.stream().filter(c -> c.code() != Status.Code.OK)
          .collect(Collectors.groupingBy(Workload.Call::code, Collectors.counting()));
      long ackedCreates = workload.owned().stream().filter(o -> o.createAcked).count();
      String summary = String.format("faults: seed %d rounds %d injected %s%n"
          + "faults: calls %d acknowledged %d failed %s (acknowledged creates %d, lost 0)%n"
          + "faults: latency ok p50 %.0f ms p99 %.0f ms; failed p50 %.0f ms p99 %.0f ms%n"
          + "faults: failover after leader kill (s) p50 %.1f p99 %.1f of %d; heal after fault undone (s) p50 %.1f p99 %.1f%n"
          + "faults: leaderships taken %s%nfaults: failure messages %s%n",
          seed, rounds, report.injected(), calls.size(), acked, failed, ackedCreates,
          pct(calls.stream().filter(c -> c.code() == Status.Code.OK).map(Workload.Call::millis).toList(), 50),
          pct(calls.stream().filter(c -> c.code() == Status.Code.OK).map(Workload.Call::millis).toList(), 99),
          pct(calls.stream().filter(c -> c.code() != Status.Code.OK).map(Workload.Call::millis).toList(), 50),
          pct(calls.stream().filter(c -> c.code() != Status.Code.OK).map(Workload.Call::millis).toList(), 99),
          pct(report.failoverSeconds(), 50), pct(report.failoverSeconds(), 99), report.failoverSeconds().size(),
          pct(report.healSeconds(), 50), pct(report.healSeconds(), 99),
          swarm.leadershipsTaken(), workload.failureMessages());
      System.out.print(summary);
      Path out = Path.of("target", "faults-report.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, summary);
      assertThat(acked).isGreaterThan(0);
      // Healthy managers explain every failure; only a call through a killed manager may see the bare
      // transport error of its own socket.
      assertThat(workload.failureMessages().keySet())
          .filteredOn(m -> !m.startsWith(Workload.FAULTED_PREFIX)).noneMatch(m -> m.endsWith(": io exception"));
    }
  }

  static double pct(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
