package dev.swarmkit.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swarmkit.api.ListSecretsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager whose disk fills up refuses writes with a clear error and recovers when space returns;
 * a manager killed mid-write whose newest log record is torn recovers it on restart and catches up.
 */
class DiskAndLogFaultsTest {

  @TempDir Path dir;

  @Test
  void aFullDiskOnTheLeaderFailsWritesClearlyAndTheManagerRecoversWhenSpaceReturns() throws Exception {
    Path probe = dir.resolve("probe");
    Files.createDirectories(probe);
    assumeTrue(FaultSwarm.mountTmpfs(probe, "1m"), "mounting a tmpfs is not permitted here");
    new ProcessBuilder("umount", probe.toString()).start().waitFor();
    try (FaultSwarm swarm = new FaultSwarm(dir, List.of()).start(3, true)) {
      FaultSwarm.Member leader = QuorumAndFailoverTest.awaitLeader(swarm);
      leader.control(Duration.ofSeconds(10)).createSecret(QuorumAndFailoverTest.secret("before"));
      assertThat(swarm.fillDisk(leader)).isTrue();
      // Writes through the full manager either fail with a clear status, or succeed once another
      // manager has taken over; none is lost and nothing is corrupted.
      // Log segments are preallocated: large entries soon need a new one, which no longer fits.
      StatusRuntimeException refused = null;
      for (int i = 0; i < 40 && refused == null; i++) {
        refused = catchThrowableOfType(() -> leader.control(Duration.ofSeconds(15))
            .createSecret(large("full")), StatusRuntimeException.class);
      }
      System.out.println("disk full: " + (refused == null ? "writes kept succeeding" : refused.getStatus()));
      assertThat(refused).as("a write through the manager whose disk is full").isNotNull();
      assertThat(refused.getStatus().getCode()).as("the refusal %s", refused.getStatus())
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(refused.getStatus().getDescription()).contains("cannot write its raft log")
          .contains("disk space");
      swarm.freeDisk(leader);
      Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() ->
          leader.control(Duration.ofSeconds(10)).createSecret(QuorumAndFailoverTest.secret("after")) != null);
      // Every manager converges on the same secrets, including the disk-full one's own replica.
      StoreChecker.awaitIdenticalReplicas(swarm.members(), Duration.ofSeconds(120));
      assertThat(leader.localReads(Duration.ofSeconds(10)).listSecrets(ListSecretsRequest.getDefaultInstance())
          .getSecretsList()).anyMatch(s -> s.getSpec().getAnnotations().getName().startsWith("after-"));
    }
  }

  @Test
  void aTornLastLogRecordIsRecoveredOnRestartAndTheManagerCatchesUp() throws Exception {
    try (FaultSwarm swarm = new FaultSwarm(dir, List.of()).start(3, false)) {
      FaultSwarm.Member leader = QuorumAndFailoverTest.awaitLeader(swarm);
      FaultSwarm.Member victim = swarm.up().stream().filter(m -> m != leader).findFirst().orElseThrow();
      for (int i = 0; i < 20; i++) {
        leader.control(Duration.ofSeconds(10)).createSecret(QuorumAndFailoverTest.secret("logged"));
      }
      swarm.kill(victim);
      Path segment = newestSegment(victim.stateDir.resolve("raft"));
      long length = Files.size(segment);
      try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
        // Cut into the last record (segments may be preallocated: cut at the last non-zero byte).
        long end = lastNonZero(f, length);
        f.setLength(Math.max(1, end - 7));
      }
      System.out.println("torn log: truncated " + segment.getFileName() + " from " + length + " to " + Files.size(segment));
      for (int i = 0; i < 5; i++) {
        leader.control(Duration.ofSeconds(10)).createSecret(QuorumAndFailoverTest.secret("while-down"));
      }
      swarm.restart(victim);
      StoreChecker.awaitIdenticalReplicas(swarm.members(), Duration.ofSeconds(120));
      assertThat(victim.localReads(Duration.ofSeconds(10)).listSecrets(ListSecretsRequest.getDefaultInstance())
          .getSecretsList().stream().filter(s -> s.getSpec().getAnnotations().getName().startsWith("while-down-")))
          .hasSize(5);
    }
  }

  private static dev.swarmkit.api.CreateSecretRequest large(String prefix) {
    dev.swarmkit.api.CreateSecretRequest small = QuorumAndFailoverTest.secret(prefix);
    return small.toBuilder().setSpec(small.getSpec().toBuilder()
        .setData(com.google.protobuf.ByteString.copyFrom(new byte[400 * 1024]))).build();
  }

  private static Path newestSegment(Path raftDir) throws Exception {
    try (Stream<Path> files = Files.walk(raftDir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("log_"))
          .max(Comparator.comparingLong(DiskAndLogFaultsTest::startIndex)).orElseThrow();
    }
  }

  private static long startIndex(Path segment) {
    String name = segment.getFileName().toString();
    String[] parts = name.split("_");
    return Long.parseLong(parts[parts.length - 1].split("-")[0]);
  }

  private static long lastNonZero(RandomAccessFile f, long length) throws Exception {
    byte[] block = new byte[64 * 1024];
    for (long end = length; end > 0; end -= block.length) {
      long start = Math.max(0, end - block.length);
      f.seek(start);
      f.readFully(block, 0, (int) (end - start));
      for (int i = (int) (end - start) - 1; i >= 0; i--) {
        if (block[i] != 0) {
          return start + i + 1;
        }
      }
    }
    return length;
  }
}
