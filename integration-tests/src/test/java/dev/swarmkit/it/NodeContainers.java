package dev.swarmkit.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.swarmkit.executor.docker.DockerClients;
import dev.swarmkit.executor.docker.DockerExecutorConfig;
import dev.swarmkit.executor.docker.TaskContainers;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The task containers that a test's own nodes created on the shared local engine, told apart from
 * anything else on it by the node-ID label every task container carries.
 */
final class NodeContainers implements AutoCloseable {

  private final DockerClient docker = DockerClients.create(DockerExecutorConfig.defaults());
  private final Set<String> nodeIds = new HashSet<>();

  void track(String nodeId) {
    nodeIds.add(nodeId);
  }

  Set<String> nodeIds() {
    return Set.copyOf(nodeIds);
  }

  /** This test's task containers of {@code service}: running ones, or all when {@code all}. */
  List<Container> ofService(String service, boolean all) {
    return list(all).stream()
        .filter(c -> service.equals(c.getLabels().get(TaskContainers.LABEL_SERVICE_NAME)))
        .toList();
  }

  private List<Container> list(boolean all) {
    return docker.listContainersCmd().withShowAll(all)
        .withLabelFilter(List.of(TaskContainers.LABEL_TASK)).exec().stream()
        .filter(c -> nodeIds.contains(c.getLabels().get(TaskContainers.LABEL_NODE_ID)))
        .toList();
  }

  /** Force-removes whatever the nodes left behind (call after closing the nodes). */
  @Override
  public void close() throws IOException {
    try {
      // no node ever started (e.g. the test was skipped for want of an engine): nothing to ask
      for (Container c : nodeIds.isEmpty() ? List.<Container>of() : list(true)) {
        try {
          docker.removeContainerCmd(c.getId()).withForce(true).exec();
        } catch (NotFoundException alreadyGone) {
          // removed by its node meanwhile
        }
      }
    } finally {
      docker.close();
    }
  }
}
