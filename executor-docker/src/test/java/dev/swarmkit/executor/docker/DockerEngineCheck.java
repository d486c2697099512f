package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension behind {@link RequiresDocker}: checks once per test class that the engine
 * answers and the test image exists. In CI (env {@code CI=true}) a missing engine is a failure,
 * since CI is expected to run {@code scripts/setup-docker.sh}; on a developer machine it skips.
 */
public final class DockerEngineCheck implements BeforeAllCallback {

  /** Built by scripts/setup-docker.sh from busybox-static; has sh, sleep, echo, cat, ... */
  public static final String TEST_IMAGE = "local/busybox:1";

  private static volatile String problem;
  private static volatile boolean checked;

  @Override
  public void beforeAll(ExtensionContext context) {
    String why = problem();
    if (why == null) {
      return;
    }
    String message = "Docker engine needed by " + context.getDisplayName() + " is not usable: " + why
        + " (run scripts/setup-docker.sh as root)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  private static synchronized String problem() {
    if (checked) {
      return problem;
    }
    checked = true;
    DockerExecutorConfig config = DockerExecutorConfig.defaults();
    try (DockerClient client = DockerClients.create(config)) {
      client.pingCmd().exec();
      try {
        client.inspectImageCmd(TEST_IMAGE).exec();
      } catch (NotFoundException e) {
        problem = "test image " + TEST_IMAGE + " is missing";
      }
    } catch (Exception e) {
      problem = "no engine answers on " + config.engineAddress() + " (" + DockerErrors.message(e) + ")";
    }
    return problem;
  }
}
