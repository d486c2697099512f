package dev.swarmkit.executor.docker;

import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import java.math.BigInteger;
import java.security.SecureRandom;

/** Builds tasks for the Docker executor tests. */
final class TestTasks {

  private TestTasks() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A 25-character base-36 ID shaped like upstream's. */
  static String newId() {
    String id = new BigInteger(128, RANDOM).toString(36);
    return String.format("%25s", id).replace(' ', '0'); // 2^128 < 36^25: at most 25 digits
  }

  static ContainerSpec.Builder shell(String script) {
    return ContainerSpec.newBuilder()
        .setImage(DockerEngineCheck.TEST_IMAGE)
        .addCommand("sh")
        .addArgs("-c")
        .addArgs(script)
        .setStopGracePeriod(Duration.newBuilder().setSeconds(1));
  }

  static Task task(String nodeId, String service, long slot, ContainerSpec.Builder container) {
    return Task.newBuilder()
        .setId(newId())
        .setNodeId(nodeId)
        .setServiceId(newId())
        .setSlot(slot)
        .setServiceAnnotations(Annotations.newBuilder().setName(service))
        .setSpec(TaskSpec.newBuilder().setContainer(container))
        .build();
  }
}
