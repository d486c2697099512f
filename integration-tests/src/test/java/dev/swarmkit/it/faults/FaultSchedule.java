package dev.swarmkit.it.faults;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.SecretSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded random sequence of faults, one round at a time: pick a fault and a manager, inject it for
 * a few seconds while the workload runs, undo it, and wait until every manager accepts writes again
 * (the swarm must heal without help). The same seed replays the same sequence of choices.
 */
final class FaultSchedule {

  private static final Logger log = LoggerFactory.getLogger(FaultSchedule.class);

  enum Fault { KILL_LEADER, KILL, STOP, PAUSE, ISOLATE, PARTITION, DELAY, DROP, DISK_FULL }

  /** What a run injected and measured. */
  record Report(long seed, int rounds, Map<Fault, Integer> injected, List<Double> failoverSeconds,
      List<Double> healSeconds) {}

  private final FaultSwarm swarm;
  private final Workload workload;
  private final long seed;
  private final Random random;
  private final boolean diskFaults;

  FaultSchedule(FaultSwarm swarm, Workload workload, long seed, boolean diskFaults) {
    this.swarm = swarm;
    this.workload = workload;
    this.seed = seed;
    this.random = new Random(seed);
    this.diskFaults = diskFaults;
  }

  Report run(int rounds) throws Exception {
    Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    List<Double> failovers = new ArrayList<>();
    List<Double> heals = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      Fault fault = Fault.values()[random.nextInt(diskFaults ? Fault.values().length : Fault.values().length - 1)];
      List<FaultSwarm.Member> members = swarm.members();
      FaultSwarm.Member target = members.get(random.nextInt(members.size()));
      FaultSwarm.Member peer = members.get((members.indexOf(target) + 1 + random.nextInt(members.size() - 1)) % members.size());
      long holdMillis = 2000 + random.nextInt(5000);
      if (fault == Fault.KILL_LEADER) {
        target = swarm.leader().orElse(target);
      }
      log.info("faults seed {} round {}/{}: {} on {} for {} ms", seed, round, rounds, fault, target.hostname, holdMillis);
      System.out.printf("round %d: %s %s%s (%d ms)%n", round, fault, target.hostname,
          fault == Fault.PARTITION ? " from " + peer.hostname : "", holdMillis);
      injected.merge(fault, 1, Integer::sum);
      long start = System.nanoTime();
      swarm.markFaulted(target, true);
      if (fault == Fault.PARTITION || fault == Fault.DROP) {
        swarm.markFaulted(peer, true);
      }
      switch (fault) {
        case KILL_LEADER -> {
          swarm.kill(target);
          try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> workload.firstAckAfter(start).isPresent());
            failovers.add((workload.firstAckAfter(start).getAsLong() - start) / 1e9);
          } catch (ConditionTimeoutException e) {
            throw new AssertionError("seed " + seed + " round " + round + ": no write acknowledged within 60 s"
                + " of killing the leader " + target.hostname, e);
          }
          Thread.sleep(holdMillis);
          swarm.restart(target);
        }
        case KILL -> {
          swarm.kill(target);
          Thread.sleep(holdMillis);
          swarm.restart(target);
        }
        case STOP -> {
          swarm.stop(target);
          Thread.sleep(holdMillis);
          swarm.restart(target);
        }
        case PAUSE -> {
          target.process.pause();
          Thread.sleep(holdMillis);
          target.process.resume();
        }
        case ISOLATE -> {
          swarm.network.isolate(target.hostname);
          Thread.sleep(holdMillis);
          swarm.network.heal();
        }
        case PARTITION -> {
          swarm.network.cut(target.hostname, peer.hostname, Network.Mode.BLACKHOLE);
          Thread.sleep(holdMillis);
          swarm.network.heal();
        }
        case DELAY -> {
          swarm.network.delay(target.hostname, 100 + random.nextInt(400));
          Thread.sleep(holdMillis);
          swarm.network.heal();
        }
        case DROP -> {
          swarm.network.cut(target.hostname, peer.hostname, Network.Mode.DROP);
          Thread.sleep(holdMillis);
          swarm.network.heal();
        }
        case DISK_FULL -> {
          swarm.fillDisk(target);
          Thread.sleep(holdMillis);
          swarm.freeDisk(target);
        }
        default -> throw new IllegalStateException();
      }
      long healStart = System.nanoTime();
      awaitHealthy(round);
      swarm.markFaulted(target, false);
      swarm.markFaulted(peer, false);
      heals.add((System.nanoTime() - healStart) / 1e9);
    }
    return new Report(seed, rounds, injected, failovers, heals);
  }

  /** Every manager runs and a write through each one is acknowledged. */
  void awaitHealthy(int round) {
    for (FaultSwarm.Member m : swarm.members()) {
      try {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> m.control(Duration.ofSeconds(10)).createSecret(CreateSecretRequest.newBuilder()
                .setSpec(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder()
                    .setName("probe-" + round + "-" + m.hostname + "-" + System.nanoTime()))
                    .setData(com.google.protobuf.ByteString.copyFromUtf8("p"))).build()) != null);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError("seed " + seed + " round " + round + ": " + m.hostname
            + " accepted no write within 120 s after the fault was undone", e);
      }
    }
  }
}
