package dev.swarmkit.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On demand ({@code -Dfaults.idleMinutes=N}): three managers with the default timings left idle for
 * N minutes; counts leader elections after the first, which should be none even on a loaded machine.
 */
class IdleStabilityTest {

  @TempDir Path dir;

  @Test
  void anIdleSwarmKeepsItsLeader() throws Exception {
    int minutes = Integer.getInteger("faults.idleMinutes", 0);
    assumeTrue(minutes > 0, "run with -Dfaults.idleMinutes=N");
    try (FaultSwarm swarm = new FaultSwarm(dir, List.of()).start(3, false)) {
      Map<String, Integer> before = swarm.leadershipsTaken();
      double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      Thread.sleep(Duration.ofMinutes(minutes).toMillis());
      Map<String, Integer> after = swarm.leadershipsTaken();
      int elections = after.values().stream().mapToInt(Integer::intValue).sum()
          - before.values().stream().mapToInt(Integer::intValue).sum();
      double loadAfter = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      System.out.printf("idle: %d minutes, leader changes %d (load average %.1f -> %.1f on %d cores)%n",
          minutes, elections, load, loadAfter, Runtime.getRuntime().availableProcessors());
      assertThat(elections).isZero();
    }
  }
}
