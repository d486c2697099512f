package dev.swarmkit.manager.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementConstraintsTest {

  private final Node node = Node.newBuilder()
      .setId("node1")
      .setRole(NodeRole.MANAGER)
      .setSpec(NodeSpec.newBuilder().setAnnotations(dev.swarmkit.api.Annotations.newBuilder().putLabels("zone", "East")))
      .setDescription(NodeDescription.newBuilder().setHostname("host-1")
          .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64")))
      .setStatus(NodeStatus.newBuilder().setAddr("10.0.1.7"))
      .build();

  private boolean matches(String... exprs) {
    return PlacementConstraints.parse(List.of(exprs)).matches(node);
  }

  @Test
  void matchesNodeAttributesCaseInsensitively() {
    assertThat(matches("node.id==node1", "node.hostname==HOST-1", "node.role==manager")).isTrue();
    assertThat(matches("node.platform.os==linux", "node.platform.arch!=arm64")).isTrue();
    assertThat(matches("node.labels.zone==east")).isTrue();
    assertThat(matches("node.labels.zone!=east")).isFalse();
    assertThat(matches("node.role==worker")).isFalse();
  }

  @Test
  void missingLabelEqualsTheEmptyValue() {
    assertThat(matches("node.labels.rack!=r1")).isTrue();
    assertThat(matches("node.labels.rack==r1")).isFalse();
    assertThat(matches("engine.labels.storage==ssd")).isFalse();
  }

  @Test
  void matchesNodeAddressesAndSubnets() {
    assertThat(matches("node.ip==10.0.1.7")).isTrue();
    assertThat(matches("node.ip==10.0.0.0/16")).isTrue();
    assertThat(matches("node.ip!=10.0.0.0/24")).isTrue();
    assertThat(matches("node.ip==10.0.0.0/24")).isFalse();
  }

  @Test
  void unknownKeysNeverMatch() {
    assertThat(matches("node.colour==blue")).isFalse();
  }

  @Test
  void rejectsMalformedExpressionsWithUpstreamWording() {
    assertThatThrownBy(() -> PlacementConstraints.parse(List.of("node.role=manager")))
        .hasMessage("constraint expected one operator from ==, !=");
    assertThatThrownBy(() -> PlacementConstraints.parse(List.of("=node==x")))
        .hasMessage("key '=node' is invalid");
    assertThatThrownBy(() -> PlacementConstraints.parse(List.of("node.role==a,b")))
        .hasMessage("value 'a,b' is invalid");
    // Upstream ignores the parse error in the orchestrators: nothing is constrained.
    assertThat(PlacementConstraints.parseLenient(List.of("bogus")).matches(node)).isTrue();
  }
}
