package dev.swarmkit.executor.docker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class DockerEngineCheckTest {

  @Test
  void aMissingEngineFailsInCiAndSkipsElsewhere() {
    assertThatThrownBy(() -> DockerEngineCheck.enforce("no engine", "SomeTest", true))
        .isInstanceOf(AssertionError.class)
        .hasMessage("Docker engine needed by SomeTest is not usable: no engine (run scripts/setup-docker.sh as root)");
    assertThatThrownBy(() -> DockerEngineCheck.enforce("no engine", "SomeTest", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("run scripts/setup-docker.sh");
    assertThatCode(() -> DockerEngineCheck.enforce(null, "SomeTest", true)).doesNotThrowAnyException();
  }
}
