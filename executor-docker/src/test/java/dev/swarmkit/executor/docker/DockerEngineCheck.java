package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension behind {@link RequiresDocker}: checks once per test class that the engine
 * answers and the test image exists. In CI (env {@code CI=true}) a missing engine is a failure,
 * since CI is expected to run {@code scripts/setup-docker.sh}; on a developer machine it skips.
 */
public final class DockerEngineCheck implements BeforeAllCallback, BeforeEachCallback {

  /** Built by scripts/setup-docker.sh from busybox-static; has sh, sleep, echo, cat, ... */
  public static final String TEST_IMAGE = "local/busybox:1";

  private static volatile String problem;
  private static volatile boolean checked;

  /** In CI the whole class fails once, up front. */
  @Override
  public void beforeAll(ExtensionContext context) {
    if (ci()) {
      enforce(problem(), context.getDisplayName(), true);
    }
  }

  /** Elsewhere each test is reported as skipped, with the reason. */
  @Override
  public void beforeEach(ExtensionContext context) {
    enforce(problem(), context.getRequiredTestClass().getSimpleName(), ci());
  }

  private static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Nothing without a problem; otherwise a failure in CI and a skip elsewhere, saying why. */
  static void enforce(String problem, String testName, boolean ci) {
    if (problem == null) {
      return;
    }
    String message = "Docker engine needed by " + testName + " is not usable: " + problem
        + " (run scripts/setup-docker.sh as root)";
    if (ci) {
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
