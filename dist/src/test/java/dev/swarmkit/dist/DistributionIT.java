package dev.swarmkit.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.swarmkit.swarmd.testing.LocalPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The archive `./mvnw package` builds, unpacked outside the source tree, runs a one-node swarm that
 * its own swarmctl answers for. Tasks run on the simulated executor, so no Docker is needed.
 */
class DistributionIT {

  private static final String VERSION = System.getProperty("dist.version");
  private final ObjectMapper json = new ObjectMapper();
  private Path root;
  private Path home;
  private Process swarmd;

  @BeforeEach
  void unpack() throws Exception {
    Path archive = Path.of(System.getProperty("dist.archive"));
    assertThat(archive).isRegularFile();
    // Not under target/: the launchers must not depend on the source tree.
    root = Files.createTempDirectory(Path.of("/tmp"), "swarmkit-dist-");
    run(root, List.of("tar", "-xzf", archive.toString(), "-C", root.toString()));
    home = root.resolve("swarmkit-java-" + VERSION);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (swarmd != null && swarmd.isAlive()) {
      swarmd.destroy();
      if (!swarmd.waitFor(30, TimeUnit.SECONDS)) {
        swarmd.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void theArchiveHoldsLaunchersJarsConfigurationUnitAndCompletion() throws Exception {
    assertThat(home.resolve("bin/swarmd")).isExecutable();
    assertThat(home.resolve("bin/swarmctl")).isExecutable();
    assertThat(home.resolve("conf/logback.xml")).content().contains("NodeIdConverter");
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .contains("swarmd-" + VERSION + ".jar", "swarmctl-" + VERSION + ".jar", "manager-" + VERSION + ".jar")
          .anyMatch(n -> n.startsWith("prometheus-metrics-core-"));
    }
    assertThat(home.resolve("systemd/swarmd.service")).content().contains(
        "ExecStart=/opt/swarmkit-java/bin/swarmd --state-dir /var/lib/swarmd $SWARMD_OPTS",
        "EnvironmentFile=-/etc/default/swarmd", "Restart=on-failure");
    assertThat(home.resolve("completion/swarmctl")).content().contains("complete -F", "swarmctl");
  }

  @Test
  void theUnpackedArchiveRunsAOneNodeSwarmThatSwarmctlAnswersForWithJsonLogs() throws Exception {
    Path state = root.resolve("state");
    Path socket = root.resolve("run/swarm.sock");
    Path log = root.resolve("swarmd.log");
    int port = LocalPorts.freePair();
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/swarmd").toString(),
        "-d", state.toString(), "--listen-control-api", socket.toString(),
        "--listen-remote-api", "127.0.0.1:" + port, "--hostname", "dist-node", "--executor", "simulated",
        "--log-format", "json", "--tick-interval", "100ms")
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    swarmd = pb.start();

    // swarmctl through a symlink elsewhere, as when put on PATH.
    Path onPath = Files.createDirectories(root.resolve("usr-local-bin")).resolve("swarmctl");
    Files.createSymbolicLink(onPath, home.resolve("bin/swarmctl"));
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(swarmd.isAlive()).as("swarmd is running; its log:\n%s", Files.readString(log)).isTrue();
      Result ls = swarmctl(onPath, socket, "node", "ls");
      assertThat(ls.code()).as(ls.output()).isZero();
      assertThat(ls.output()).contains("dist-node", "READY", "ACTIVE");
    });

    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    assertThat(lines).isNotEmpty();
    List<JsonNode> entries = new ArrayList<>();
    for (String line : lines) {
      entries.add(json.readTree(line));
    }
    assertThat(entries).allSatisfy(e -> assertThat(e.hasNonNull("time") && e.hasNonNull("level")
        && e.hasNonNull("msg")).as(e.toString()).isTrue());
    assertThat(entries).anySatisfy(e -> {
      assertThat(e.path("node.id").asText()).isNotEmpty();
      assertThat(e.path("msg").asText()).contains("control API listening");
    });
  }

  private record Result(int code, String output) {}

  private Result swarmctl(Path launcher, Path socket, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    pb.environment().put("SWARM_SOCKET", socket.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static void run(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }
}
