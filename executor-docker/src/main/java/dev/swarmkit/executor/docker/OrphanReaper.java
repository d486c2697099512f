package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers this node created for tasks it no longer knows, for example after the
 * worker's state was lost or a task was deleted while the worker was down. Only containers
 * labelled with this node's ID are ever touched.
 */
public final class OrphanReaper {

  private static final Logger log = LoggerFactory.getLogger(OrphanReaper.class);

  private final DockerClient client;
  private final String nodeId;

  public OrphanReaper(DockerClient client, String nodeId) {
    this.client = client;
    this.nodeId = nodeId;
  }

  /** Task IDs of every container (running or not) labelled as this node's cluster task. */
  public Map<String, String> taskContainers() {
    Map<String, String> byTask = new java.util.LinkedHashMap<>();
    for (Container c : ownContainers()) {
      byTask.put(c.getLabels().get(TaskContainers.LABEL_TASK_ID), c.getId());
    }
    return byTask;
  }

  /** Force-removes this node's task containers whose task is not {@code known}; returns their IDs. */
  public List<String> reap(Predicate<String> known) {
    List<String> removed = new ArrayList<>();
    for (Container c : ownContainers()) {
      String taskId = c.getLabels().get(TaskContainers.LABEL_TASK_ID);
      if (taskId != null && known.test(taskId)) {
        continue;
      }
      try {
        client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
        removed.add(c.getId());
        log.info("removed orphaned container {} of unknown task {}", c.getId(), taskId);
      } catch (NotFoundException e) {
        // removed meanwhile
      }
    }
    return removed;
  }

  public List<String> reap(Set<String> knownTaskIds) {
    return reap(knownTaskIds::contains);
  }

  private List<Container> ownContainers() {
    return client.listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(TaskContainers.LABEL_NODE_ID, nodeId))
        .exec();
  }
}
