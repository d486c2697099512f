package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure syntax helpers behind service validation: image references, constraints, Go formatting. */
class SpecSyntaxTest {

  @ParameterizedTest
  @ValueSource(strings = {"nginx", "nginx:1.25", "library/nginx:latest", "docker.io/library/nginx",
      "localhost:5000/app", "registry.example.com/team/app:v1.2-rc_3", "ghcr.io/o/r@sha256:"
      + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "[::1]:5000/app", "Registry.Local/app"})
  void acceptsValidImageReferences(String image) {
    assertThat(ImageReference.isValid(image)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Nginx", "nginx:", "nginx::1", "-nginx", "nginx@sha256:123", "a//b", "nginx:-tag",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "registry.local/App"})
  void refusesInvalidImageReferences(String image) {
    assertThat(ImageReference.isValid(image)).isFalse();
  }

  @Test
  void acceptsConstraintsAsUpstreamParsesThem() {
    assertThatCode(() -> ConstraintSyntax.check(List.of("node.role==manager", "node.labels.zone != eu-west-1",
        "engine.labels.os==linux", "node.hostname==host_1.example"))).doesNotThrowAnyException();
  }

  @Test
  void refusesMalformedConstraintsWithUpstreamMessages() {
    assertThatThrownBy(() -> ConstraintSyntax.check(List.of("node.role")))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageEndingWith("constraint expected one operator from ==, !=");
    assertThatThrownBy(() -> ConstraintSyntax.check(List.of("==manager"))).hasMessageEndingWith("key '' is invalid");
    assertThatThrownBy(() -> ConstraintSyntax.check(List.of("node.role==")))
        .hasMessageEndingWith("value '' is invalid");
    assertThatThrownBy(() -> ConstraintSyntax.check(List.of("node.role==a>b")))
        .hasMessageEndingWith("value 'a>b' is invalid");
  }

  @Test
  void formatsNumbersAndDurationsAsGo() {
    assertThat(GoFormat.g(0.001)).isEqualTo("0.001");
    assertThat(GoFormat.g(1e-6)).isEqualTo("1e-06");
    assertThat(GoFormat.g(0.0005)).isEqualTo("0.0005");
    assertThat(GoFormat.g(2.5)).isEqualTo("2.5");
    assertThat(GoFormat.g(1_000_000)).isEqualTo("1e+06");
    assertThat(dev.swarmkit.api.util.GoDurations.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(dev.swarmkit.api.util.GoDurations.format(Duration.ofMillis(1))).isEqualTo("1ms");
    assertThat(dev.swarmkit.api.util.GoDurations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(dev.swarmkit.api.util.GoDurations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }
}
