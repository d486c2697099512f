package dev.swarmkit.agent.exec;

/** A failure reported by an executor; its message becomes the task status' error. */
public class ExecutorException extends Exception {

  public ExecutorException(String message) {
    super(message);
  }

  public ExecutorException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The step was already done (container already created/started); not an error for the agent. */
  public static final class AlreadyDone extends ExecutorException {
    public AlreadyDone(String message) {
      super(message);
    }
  }

  /** The task's process exited with a non-zero code: "task: non-zero exit (N)" as upstream. */
  public static final class ExitError extends ExecutorException {
    private final int exitCode;

    public ExitError(int exitCode) {
      super("task: non-zero exit (" + exitCode + ")");
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /** The task cannot run here at all (bad spec, image unobtainable): the task is REJECTED. */
  public static final class Rejected extends ExecutorException {
    public Rejected(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
