package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.GenericResource;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenericResourcesTest {

  @Test
  void integersAreDiscreteAndOtherValuesNamed() {
    List<GenericResource> parsed = GenericResources.parse("gpu=GPU-0, gpu=GPU-1,ssd=3");

    assertThat(parsed).hasSize(3);
    assertThat(parsed.get(0).getNamedResourceSpec().getKind()).isEqualTo("gpu");
    assertThat(parsed.get(1).getNamedResourceSpec().getValue()).isEqualTo("GPU-1");
    assertThat(parsed.get(2).getDiscreteResourceSpec().getKind()).isEqualTo("ssd");
    assertThat(parsed.get(2).getDiscreteResourceSpec().getValue()).isEqualTo(3);
  }

  @Test
  void emptyIsNoneAndMalformedIsRefused() {
    assertThat(GenericResources.parse("")).isEmpty();
    assertThatThrownBy(() -> GenericResources.parse("gpu")).hasMessageContaining("expected kind=value");
    assertThatThrownBy(() -> GenericResources.parse("ssd=-1")).hasMessageContaining("negative");
  }
}
