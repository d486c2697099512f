package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs a command in a running container, as {@code docker exec}, for tests that look inside. */
public final class DockerExec {

  private DockerExec() {}

  /** The command's stdout and stderr together; fails if it does not finish within 30 seconds. */
  public static String run(DockerClient docker, String container, String... command) throws InterruptedException {
    String id = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true)
        .exec().getId();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean done = docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        out.writeBytes(frame.getPayload());
      }
    }).awaitCompletion(30, TimeUnit.SECONDS);
    if (!done) {
      throw new AssertionError("docker exec " + String.join(" ", command) + " did not finish");
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
