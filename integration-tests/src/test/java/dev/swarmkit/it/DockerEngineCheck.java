package dev.swarmkit.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.swarmkit.executor.docker.DockerClients;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension behind {@link RequiresDocker} (the integration-tests twin of executor-docker's):
 * checks once that the engine answers and the test image exists. In CI ({@code CI=true}) a missing
 * engine fails the class up front, since CI runs {@code scripts/setup-docker.sh}; elsewhere each test
 * is reported as skipped, with the reason.
 */
final class DockerEngineCheck implements BeforeAllCallback, BeforeEachCallback {

  /** Built by scripts/setup-docker.sh from busybox-static; has sh, sleep, echo, ... */
  static final String TEST_IMAGE = "local/busybox:1";

  private static String problem;
  private static boolean checked;

  @Override
  public void beforeAll(ExtensionContext context) {
    if (ci()) {
      enforce(context.getDisplayName());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    enforce(context.getRequiredTestClass().getSimpleName());
  }

  private static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static void enforce(String testName) {
    String why = problem();
    if (why == null) {
      return;
    }
    String message = "Docker engine needed by " + testName + " is not usable: " + why
        + " (run scripts/setup-docker.sh as root)";
    if (ci()) {
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
      problem = "no engine answers on " + config.engineAddress() + " (" + e + ")";
    }
    return problem;
  }
}
