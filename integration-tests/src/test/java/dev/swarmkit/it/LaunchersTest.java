package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.swarmd.testing.LocalPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers as an operator runs them, each node and command its own process: they use the
 * class-data-sharing archives the build trained, ignore a corrupt, foreign or outdated archive without
 * a word, and print exactly what they print without one.
 */
class LaunchersTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path SWARMD = ROOT.resolve("swarmd/bin/swarmd");
  private static final Path SWARMCTL = ROOT.resolve("swarmctl/bin/swarmctl");
  private static final Path SWARMCTL_ARCHIVE = ROOT.resolve("swarmctl/target/swarmctl.jsa");
  private static final Path SWARMD_ARCHIVE = ROOT.resolve("swarmd/target/swarmd.jsa");
  private static final String SHARED = "dev.swarmkit.swarmctl.SwarmctlMain source: shared objects file (top)";

  @TempDir
  Path dir;
  private final List<Process> daemons = new ArrayList<>();

  record Result(int exitCode, String out, String err) {}

  @AfterEach
  void stopDaemons() throws InterruptedException {
    for (Process p : daemons) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Result run(Map<String, String> env, Path launcher, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
  }

  private String classLog() throws IOException {
    return Files.readString(dir.resolve("classes.txt"), StandardCharsets.UTF_8);
  }

  private Map<String, String> logClasses(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("SWARMCTL_JAVA_OPTS", "-Xlog:class+load=info:file=" + dir.resolve("classes.txt"));
    return all;
  }

  private static void requireArchives() {
    assertThat(SWARMCTL_ARCHIVE).as("the build's training run (scripts/cds-train.sh, skipped with -Dcds.skip)")
        .exists();
    assertThat(SWARMD_ARCHIVE).exists();
  }

  @Test
  void swarmctlLoadsItsClassesFromTheTrainedArchive() throws Exception {
    requireArchives();
    Result result = run(logClasses(Map.of()), SWARMCTL, "version");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("swarmctl dev.swarmkit ");
    assertThat(result.err()).isEmpty();
    assertThat(classLog()).contains(SHARED);
  }

  @Test
  void aCorruptForeignOrOutdatedArchiveIsIgnoredAndTheOutputIsUnchanged() throws Exception {
    requireArchives();
    Result without = run(Map.of("SWARMCTL_CDS_ARCHIVE", dir.resolve("none.jsa").toString()), SWARMCTL,
        "--help");
    assertThat(without.exitCode()).isZero();
    assertThat(without.out()).contains("Usage: swarmctl");

    Path corrupt = dir.resolve("corrupt.jsa");
    Files.write(corrupt, "not an archive".repeat(1000).getBytes(StandardCharsets.US_ASCII));
    Path outdated = Files.copy(SWARMCTL_ARCHIVE, dir.resolve("outdated.jsa"));
    Files.setLastModifiedTime(outdated, FileTime.fromMillis(0));
    // swarmd's archive was trained for another jar: the JVM refuses it (class path mismatch).
    for (Path archive : List.of(corrupt, SWARMD_ARCHIVE, outdated)) {
      Result result = run(logClasses(Map.of("SWARMCTL_CDS_ARCHIVE", archive.toString())), SWARMCTL, "--help");
      assertThat(result.exitCode()).as(archive.toString()).isZero();
      assertThat(result.out()).as(archive.toString()).isEqualTo(without.out());
      assertThat(result.err()).as(archive.toString()).isEmpty();
      assertThat(classLog()).as(archive.toString()).doesNotContain(SHARED)
          .contains("dev.swarmkit.swarmctl.SwarmctlMain source: file:");
    }
  }

  @Test
  void theLaunchersApplyTheirJvmOptionFilesAndTheUsersOptionsWin() throws Exception {
    Result ctl = run(Map.of("SWARMCTL_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), SWARMCTL, "version");
    assertThat(ctl.exitCode()).as(ctl.err()).isZero();
    // From swarmctl/bin/swarmctl.jvm-options: -Xmn32m, C1 with fewer compilations, Serial GC.
    assertThat(ctl.out()).contains("-XX:NewSize=33554432", "-XX:CompileThresholdScaling=5", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1").contains("swarmctl dev.swarmkit ");

    Result d = run(Map.of("SWARMD_JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xmx1g"), SWARMD, "--version");
    assertThat(d.exitCode()).as(d.err()).isZero();
    // From swarmd/bin/swarmd.jvm-options, except -Xmx512m, which SWARMD_JAVA_OPTS overrides.
    assertThat(d.out()).contains("-XX:ReservedCodeCacheSize=67108864", "-XX:CompileThresholdScaling=5",
        "-XX:MaxHeapSize=1073741824", "-XX:+UseSerialGC").doesNotContain("-XX:MaxHeapSize=536870912");

    // A GC named by the user replaces Serial GC (two would stop the JVM), G1 with its digit too.
    Result g1 = run(Map.of("SWARMD_JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseG1GC"), SWARMD, "--version");
    assertThat(g1.exitCode()).as(g1.err()).isZero();
    assertThat(g1.out()).contains("-XX:+UseG1GC").doesNotContain("-XX:+UseSerialGC");
  }

  @Test
  void swarmdStartsWithItsArchiveAndServiceCreateWaitsForConvergenceWhenNotDetached() throws Exception {
    requireArchives();
    Path sock = dir.resolve("m.sock");
    int port = LocalPorts.freePair();
    ProcessBuilder pb = new ProcessBuilder(SWARMD.toString(), "-d", dir.resolve("m").toString(),
        "--listen-control-api", sock.toString(), "--listen-remote-api", "127.0.0.1:" + port,
        "--executor", "simulated", "--hostname", "launcher-test")
        .redirectErrorStream(true).redirectOutput(dir.resolve("swarmd.log").toFile());
    pb.environment().put("SWARMD_JAVA_OPTS", "-Xlog:class+load=info:file=" + dir.resolve("swarmd-classes.txt"));
    daemons.add(pb.start());
    Map<String, String> env = Map.of("SWARM_SOCKET", sock.toString());
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> run(env, SWARMCTL, "node", "ls").out().contains(" READY "));
    assertThat(Files.readString(dir.resolve("swarmd-classes.txt")))
        .contains("dev.swarmkit.swarmd.SwarmdMain source: shared objects file (top)");

    Result create = run(env, SWARMCTL, "service", "create", "--name", "web", "--image", "local/busybox:1",
        "--replicas", "2", "--detach=false");
    assertThat(create.exitCode()).as(create.err()).isZero();
    List<String> lines = create.out().lines().toList();
    assertThat(lines.get(0)).matches("[0-9a-z]{25}");
    assertThat(lines).contains("overall progress: 2 out of 2 tasks", "1/2: running", "2/2: running");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("verify: Service converged");

    Result update = run(env, SWARMCTL, "service", "update", "web", "--replicas", "3", "--detach=false");
    assertThat(update.exitCode()).as(update.err()).isZero();
    assertThat(update.out()).contains("overall progress: 3 out of 3 tasks\n1/3: running\n2/3: running\n3/3: running\n")
        .endsWith("verify: Service converged\n");
    Result tasks = run(env, SWARMCTL, "task", "ls");
    assertThat(tasks.out().lines().filter(l -> l.contains(" RUNNING ")).count()).isEqualTo(3);

    // Detached (the default) returns the ID at once, as before.
    Result detached = run(env, SWARMCTL, "service", "update", "web", "--replicas", "1");
    assertThat(detached.exitCode()).isZero();
    assertThat(detached.out()).matches("[0-9a-z]{25}\n");
  }
}
