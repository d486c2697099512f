package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swarmkit.ca.JoinToken;
import dev.swarmkit.swarmd.SwarmNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Start-up and join failures of {@code swarmd} run as a process: each ends with exactly one line
 * (the flag and value given, why, what to try), exit code 1, no stack trace, and the state dir as it
 * was before the start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupFailureTest {

  @TempDir static Path dir;
  private TestSwarm swarm;
  private String managerAddr;
  private String workerToken;
  private final List<ServerSocket> busy = new ArrayList<>();
  private final List<Path> mounts = new ArrayList<>();

  /** What a case needs: a running manager, its token, ports in use. */
  record Fixture(String managerAddr, String workerToken, Path stateDir, int busyPort, int busyRaftPort) {}

  record Case(String name, Function<Fixture, List<String>> args, Function<Fixture, String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void startManager() throws Exception {
    swarm = new TestSwarm(dir.resolve("swarm"));
    SwarmNode manager = swarm.init("m1");
    managerAddr = TestSwarm.remoteAddress(manager);
    workerToken = swarm.joinToken("m1", "Worker");
  }

  @AfterAll
  void stopManager() throws Exception {
    swarm.close();
    for (ServerSocket s : busy) {
      s.close();
    }
    for (Path m : mounts) {
      new ProcessBuilder("umount", m.toString()).start().waitFor();
    }
  }

  Stream<Arguments> failures() {
    return Stream.of(
        new Case("remote API port in use",
            f -> List.of("--listen-remote-api", "127.0.0.1:" + f.busyPort()),
            f -> "Error: --listen-remote-api 127.0.0.1:" + f.busyPort() + ": port " + f.busyPort()
                + " is already in use; stop what listens there or choose another --listen-remote-api"),
        new Case("Raft port (remote API port + 1) in use",
            f -> List.of("--listen-remote-api", "127.0.0.1:" + (f.busyRaftPort() - 1)),
            f -> "Error: --listen-remote-api 127.0.0.1:" + (f.busyRaftPort() - 1) + ": Raft port " + f.busyRaftPort()
                + " (remote API port + 1) is already in use; stop what listens there or choose another "
                + "--listen-remote-api"),
        new Case("token with a wrong secret",
            f -> List.of("--join-addr", f.managerAddr(), "--join-token", wrongSecret(f.workerToken())),
            f -> "Error: manager " + f.managerAddr() + " refused --join-token: A valid join token is necessary "
                + "to join this cluster; use the current token from `swarmctl cluster inspect default`"),
        new Case("token of another swarm (wrong cluster)",
            f -> List.of("--join-addr", f.managerAddr(), "--join-token", JoinToken.generate("ab".repeat(32))),
            f -> "Error: --join-token does not belong to the swarm at " + f.managerAddr()
                + " (its root CA fingerprint differs); use a token of that swarm or the --join-addr of this "
                + "token's swarm"),
        new Case("malformed token",
            f -> List.of("--join-addr", f.managerAddr(), "--join-token", "SWMTKN-1-nope"),
            f -> "Error: --join-token is not a join token (expected SWMTKN-1-...); copy it from "
                + "`swarmctl cluster inspect default` on a manager"),
        new Case("join address without a token on a new node",
            f -> List.of("--join-addr", f.managerAddr()),
            f -> "Error: --join-addr needs --join-token: " + f.stateDir() + " holds no node yet; copy a token "
                + "from `swarmctl cluster inspect default` on a manager (see swarmd --help)"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailedStartSaysWhyInOneLineAndLeavesTheStateDirAsItWas(Case c) throws Exception {
    Path state = dir.resolve("state-" + Math.abs(c.name().hashCode()));
    Files.createDirectories(state);
    Files.writeString(state.resolve("operator-notes.txt"), "keep me");
    Map<String, String> before = snapshot(state);
    Fixture f = new Fixture(managerAddr, workerToken, state, busyPort(), busyRaftPort());

    SwarmdProcess.Finished run = runSwarmd(state, c.args().apply(f));

    assertThat(run.lines()).containsExactly(c.expected().apply(f));
    assertThat(run.exitCode()).isNotZero();
    assertThat(snapshot(state)).isEqualTo(before);
  }

  @Test
  void aFailedStartRemovesAStateDirItCreated() throws Exception {
    Path state = dir.resolve("new/state");
    int port = busyPort();
    SwarmdProcess.Finished run = runSwarmd(state, List.of("--listen-remote-api", "127.0.0.1:" + port));
    assertThat(run.lines()).hasSize(1).allMatch(l -> l.contains("port " + port + " is already in use"));
    assertThat(dir.resolve("new")).doesNotExist();
  }

  @Test
  void joiningWhereNothingListensIsRetriedAndSaysSoUntilStopped() throws Exception {
    Path state = dir.resolve("refused");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (SwarmdProcess p = SwarmdProcess.start(dir.resolve("refused.log"), "-d", state.toString(),
        "--join-addr", "127.0.0.1:" + closed, "--join-token", workerToken, "--executor", "simulated")) {
      String first = p.awaitLine(l -> l.contains("attempt 2"), Duration.ofSeconds(30));
      assertThat(first).contains("WARN").contains("cannot reach manager 127.0.0.1:" + closed
          + ": connection refused; is --join-addr right? (attempt 2, retrying in ");
      assertThat(p.isAlive()).as("still retrying").isTrue();
      p.stop();
      assertThat(p.lines()).allMatch(l -> l.contains("cannot reach manager 127.0.0.1:" + closed));
    }
    assertThat(state).doesNotExist();
  }

  @Test
  void anUnwritableStateDirIsNamed() throws Exception {
    Path state = mountTmpfs("ro", "ro,size=1m");
    SwarmdProcess.Finished run = runSwarmd(state, List.of("--listen-remote-api", "127.0.0.1:0"));
    assertThat(run.lines()).containsExactly("Error: -d " + state + ": cannot write the state directory "
        + "(Read-only file system); use -d with a writable directory");
    assertThat(run.exitCode()).isNotZero();
  }

  @Test
  void aFullDiskIsNamedAndTheStateDirIsLeftAsItWas() throws Exception {
    Path state = mountTmpfs("full", "size=64k");
    // Fill the file system to the last block.
    try (var out = Files.newOutputStream(state.resolve("filler"))) {
      byte[] block = new byte[4096];
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
    Map<String, String> before = snapshot(state);
    SwarmdProcess.Finished run = runSwarmd(state, List.of("--listen-remote-api", "127.0.0.1:0"));
    assertThat(run.lines()).containsExactly("Error: -d " + state + ": cannot write the state directory "
        + "(No space left on device); use -d with a writable directory or free some space");
    assertThat(snapshot(state)).isEqualTo(before);
  }

  private SwarmdProcess.Finished runSwarmd(Path state, List<String> extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("-d", state.toString(), "--listen-control-api",
        state.resolve("swarm.sock").toString(), "--executor", "simulated"));
    args.addAll(extra);
    return SwarmdProcess.run(dir.resolve("logs").resolve(state.getFileName() + ".log"), args.toArray(String[]::new));
  }

  /** A small tmpfs (needs root); the case is skipped where mounting is not allowed. */
  private Path mountTmpfs(String name, String options) throws Exception {
    Path mountPoint = dir.resolve("mnt-" + name);
    Files.createDirectories(mountPoint);
    int rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", mountPoint.toString())
        .redirectErrorStream(true).start().waitFor();
    assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root)");
    mounts.add(mountPoint);
    return mountPoint;
  }

  private int busyPort() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    busy.add(s);
    return s.getLocalPort();
  }

  /** A port in use whose predecessor is free, so only the Raft port collides. */
  private int busyRaftPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      int port = busyPort();
      try (ServerSocket probe = new ServerSocket(port - 1, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no port with a free predecessor");
  }

  private static String wrongSecret(String token) {
    try {
      return JoinToken.generate(JoinToken.parse(token).rootDigestHex());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every file under {@code root} with its content. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String key = root.relativize(p).toString();
        out.put(key, Files.isRegularFile(p) ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "/");
      }
    }
    return out;
  }
}
