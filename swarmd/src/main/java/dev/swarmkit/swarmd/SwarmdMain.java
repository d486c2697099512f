package dev.swarmkit.swarmd;

import picocli.CommandLine;

/** Entry point of the swarmd launcher. */
public final class SwarmdMain {
  private SwarmdMain() {}

  public static void main(String[] args) {
    // Before anything opens a TLS connection: Go clients send names the JDK would refuse.
    dev.swarmkit.ca.ServerNameTolerance.install();
    int code = new CommandLine(new SwarmdCommand())
        // One line: the error and where to look, not the whole usage.
        .setParameterExceptionHandler((e, args2) -> {
          e.getCommandLine().getErr().println("Error: " + e.getMessage() + " (see swarmd --help)");
          return 2;
        })
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("Error: " + (e instanceof StartupException ? e.getMessage() : e.toString()));
          LoggerHolder.LOG.debug("swarmd failed", e);
          return 1;
        })
        .execute(args);
    System.exit(code);
  }

  private static final class LoggerHolder {
    static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SwarmdMain.class);
  }
}
