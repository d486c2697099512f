package dev.swarmkit.it.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code swarmd} as a separate {@code java} process on this module's test classpath, so that a
 * kill is a real SIGKILL and a pause a real SIGSTOP. Its output goes to {@code <dir>/swarmd.log}.
 */
final class SwarmdProcess {

  private final String hostname;
  private final Path logFile;
  private final List<String> command;
  private Process process;

  SwarmdProcess(String hostname, Path dir, List<String> swarmdArgs) {
    this.hostname = hostname;
    this.logFile = dir.resolve("swarmd.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small, quick-starting JVMs: several run on a shared 2-core machine.
    cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path"),
        "dev.swarmkit.swarmd.SwarmdMain"));
    cmd.addAll(swarmdArgs);
    this.command = List.copyOf(cmd);
  }

  String hostname() {
    return hostname;
  }

  synchronized void start() throws IOException {
    if (alive()) {
      throw new IllegalStateException(hostname + " is running");
    }
    Files.writeString(logFile, "---- start " + java.time.Instant.now() + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** kill -9: no shutdown hook runs, nothing is flushed beyond what the kernel has. */
  synchronized void kill() throws InterruptedException {
    if (process != null) {
      resume(); // a stopped process must be continued to die promptly
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM: swarmd's shutdown hook closes the node cleanly. */
  synchronized void stop() throws InterruptedException {
    if (process != null) {
      resume();
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, as in a long GC pause. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  void resume() {
    try {
      signal("CONT");
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot continue " + hostname, e);
    }
  }

  private void signal(String name) throws IOException, InterruptedException {
    long pid = pid();
    if (pid > 0 && alive()) {
      new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
    }
  }

  String log() throws IOException {
    return Files.exists(logFile) ? Files.readString(logFile) : "";
  }
}
