package dev.swarmkit.it;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests whose nodes run their tasks as containers on the one local engine (subclasses are marked
 * {@code @RequiresDocker}): a fresh swarm per test, and after it the containers its nodes started are
 * removed, as they would outlive the node processes.
 */
abstract class WithDockerSwarm {
  @TempDir Path dir;
  TestSwarm swarm;
  NodeContainers containers;

  @BeforeEach
  void startSwarmAndContainerTracking() {
    swarm = new TestSwarm(dir);
    containers = new NodeContainers();
  }

  @AfterEach
  void stopSwarmAndRemoveContainers() throws IOException {
    swarm.close();
    containers.close();
  }
}
