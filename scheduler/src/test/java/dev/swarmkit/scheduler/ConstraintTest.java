package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.Fixtures.readyNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConstraintTest {

  @Test
  void parsesKeyOperatorAndValueTrimmingSpaces() {
    List<Constraint> parsed = Constraint.parse(List.of("node.labels.zone == east", "node.role!=manager"));

    assertThat(parsed).containsExactly(
        new Constraint("node.labels.zone", Constraint.Operator.EQ, "east"),
        new Constraint("node.role", Constraint.Operator.NOT_EQ, "manager"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "node.id                 | constraint expected one operator from ==, !=",
      "node.id > abc           | constraint expected one operator from ==, !=",
      "==abc                   | key '' is invalid",
      "1node.id==abc           | key '1node.id' is invalid",
      "no de==abc              | key 'no de' is invalid",
      "node.id==               | value '' is invalid",
      "node.labels.a==x<y      | value 'x<y' is invalid",
      "node.labels.a==b==c     | value 'b==c' is invalid",
  })
  void rejectsMalformedExpressionsWithUpstreamMessages(String expression, String message) {
    assertThatThrownBy(() -> Constraint.parse(List.of("node.role==worker", expression)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static final Node NODE = readyNode("node-1")
      .setRole(NodeRole.MANAGER)
      .setStatus(readyNode("x").getStatus().toBuilder().setAddr("192.168.1.20"))
      .setSpec(readyNode("node-1").getSpec().toBuilder()
          .setAnnotations(readyNode("node-1").getSpec().getAnnotations().toBuilder()
              .putLabels("zone", "East").putLabels("Disk", "ssd")))
      .setDescription(readyNode("node-1").getDescription().toBuilder()
          .setHostname("host-A")
          .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"))
          .setEngine(EngineDescription.newBuilder().putLabels("storage", "fast")))
      .build();

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "node.id==node-1                 | true",
      "node.id!=node-1                 | false",
      "NODE.ID==NODE-1                 | true",
      "node.hostname==host-a           | true",
      "node.hostname!=other            | true",
      "node.ip==192.168.1.20           | true",
      "node.ip!=192.168.1.20           | false",
      "node.ip==192.168.1.0/24         | true",
      "node.ip==192.168.2.0/24         | false",
      "node.ip!=10.0.0.0/8             | true",
      "node.ip==::ffff:192.168.1.20    | true",
      "node.ip==2001:db8::1            | false",
      "node.ip==not-an-ip              | false",
      "node.ip!=not-an-ip              | false",
      "node.role==manager              | true",
      "node.role==worker               | false",
      "node.platform.os==linux         | true",
      "node.platform.arch==x86_64      | true",
      "node.platform.arch==arm64       | false",
      "node.labels.zone==east          | true",
      "node.labels.zone!=east          | false",
      "node.labels.Disk==ssd           | true",
      "node.labels.disk==ssd           | false",
      "node.labels.missing!=x          | true",
      "node.labels.missing==x          | false",
      "engine.labels.storage==fast     | true",
      "engine.labels.storage==slow     | false",
      "unknown.key==x                  | false",
      "node.labels.==x                 | false",
  })
  void matchesNodeFieldsLabelsAndAddresses(String expression, boolean matches) {
    assertThat(Constraint.nodeMatches(Constraint.parse(List.of(expression)), NODE)).isEqualTo(matches);
  }

  @Test
  void allConstraintsMustHold() {
    assertThat(Constraint.nodeMatches(Constraint.parse(List.of("node.role==manager", "node.labels.zone==east")), NODE))
        .isTrue();
    assertThat(Constraint.nodeMatches(Constraint.parse(List.of("node.role==manager", "node.labels.zone==west")), NODE))
        .isFalse();
  }

  @Test
  void nodeWithoutDescriptionHasEmptyHostnameAndPlatform() {
    Node bare = Node.newBuilder().setId("bare").build();

    assertThat(Constraint.nodeMatches(Constraint.parse(List.of("node.hostname!=x", "node.platform.os!=linux")), bare))
        .isTrue();
    assertThat(Constraint.nodeMatches(Constraint.parse(List.of("node.hostname==x")), bare)).isFalse();
  }
}
