package dev.swarmkit.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code swarmd} as a separate process, as an operator runs it: its own JVM on this test's class path
 * without the test resources (so it logs with swarmd's own logback.xml), stdout and stderr to a file.
 */
final class SwarmdProcess implements AutoCloseable {

  private final Process process;
  private final Path output;

  private SwarmdProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  static SwarmdProcess start(Path output, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", classPath(), "dev.swarmkit.swarmd.SwarmdMain"));
    cmd.addAll(Arrays.asList(args));
    Files.createDirectories(output.getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    return new SwarmdProcess(p, output);
  }

  /** Runs swarmd to its end (it must fail fast) and returns its exit code and output lines. */
  static Finished run(Path output, String... args) throws Exception {
    try (SwarmdProcess p = start(output, args)) {
      if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("swarmd did not exit; output:\n" + String.join("\n", p.lines()));
      }
      return new Finished(p.process.exitValue(), p.lines());
    }
  }

  record Finished(int exitCode, List<String> lines) {}

  List<String> lines() {
    try {
      return Files.exists(output) ? Files.readAllLines(output, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for an output line matching {@code p}; returns it. */
  String awaitLine(Predicate<String> p, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(200))
        .until(() -> lines().stream().anyMatch(p) || !process.isAlive());
    return lines().stream().filter(p).findFirst()
        .orElseThrow(() -> new AssertionError("no such line; swarmd output:\n" + String.join("\n", lines())));
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end by itself; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("swarmd still runs; output:\n" + String.join("\n", lines()));
    }
    return process.exitValue();
  }

  /** SIGTERM, as an operator's Ctrl-C or kill; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    return process.exitValue();
  }

  /** SIGKILL: a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The test class path minus test classes and resources (they carry logback-test.xml) and swarmctl
   * (its logback.xml would make Logback report the duplicate on every start).
   */
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes") && !e.endsWith("test-classes" + File.separator))
        .filter(e -> !Path.of(e).getFileName().toString().startsWith("swarmctl")
            && !e.contains(File.separator + "swarmctl" + File.separator))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
