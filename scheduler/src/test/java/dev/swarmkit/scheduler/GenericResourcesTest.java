package dev.swarmkit.scheduler;

import static dev.swarmkit.scheduler.GenericResources.discrete;
import static dev.swarmkit.scheduler.GenericResources.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.GenericResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenericResourcesTest {

  @Test
  void claimingDiscreteResourcesSubtractsAndDropsExhaustedKinds() {
    List<GenericResource> available = new ArrayList<>(List.of(discrete("apple", 3), discrete("pear", 1)));

    List<GenericResource> got = GenericResources.claim(available, List.of(discrete("apple", 2), discrete("pear", 1)));

    assertThat(got).containsExactly(discrete("apple", 2), discrete("pear", 1));
    assertThat(available).containsExactly(discrete("apple", 1));
  }

  @Test
  void claimingNamedResourcesTakesThatManyInstances() {
    List<GenericResource> available = new ArrayList<>(List.of(named("gpu", "A"), named("gpu", "B"), named("gpu", "C")));

    List<GenericResource> got = GenericResources.claim(available, List.of(discrete("gpu", 2)));

    assertThat(got).containsExactly(named("gpu", "A"), named("gpu", "B"));
    assertThat(available).containsExactly(named("gpu", "C"));
  }

  @Test
  void hasEnoughComparesAmountsOrInstanceCounts() {
    assertThat(GenericResources.hasEnough(List.of(discrete("apple", 2)), discrete("apple", 2))).isTrue();
    assertThat(GenericResources.hasEnough(List.of(discrete("apple", 1)), discrete("apple", 2))).isFalse();
    assertThat(GenericResources.hasEnough(List.of(named("gpu", "A")), discrete("gpu", 2))).isFalse();
    assertThat(GenericResources.hasEnough(List.of(named("gpu", "A"), named("gpu", "B")), discrete("gpu", 2))).isTrue();
    assertThat(GenericResources.hasEnough(List.of(), discrete("gpu", 1))).isFalse();
  }

  @Test
  void reclaimingReturnsResourcesButNeverMoreThanTheNodeAdvertises() {
    List<GenericResource> advertised = List.of(discrete("apple", 3), named("gpu", "A"), named("gpu", "B"));
    List<GenericResource> available = new ArrayList<>(List.of(discrete("apple", 1), named("gpu", "B")));

    GenericResources.reclaim(available, List.of(discrete("apple", 2), named("gpu", "A")), advertised);

    assertThat(available).containsExactlyInAnyOrder(discrete("apple", 3), named("gpu", "B"), named("gpu", "A"));

    // The operator shrank the node to one apple and removed GPU "A": returned extras are dropped.
    List<GenericResource> shrunk = List.of(discrete("apple", 1), named("gpu", "B"));
    List<GenericResource> after = new ArrayList<>(List.of(named("gpu", "B")));
    GenericResources.reclaim(after, List.of(discrete("apple", 2), named("gpu", "A")), shrunk);

    assertThat(after).containsExactlyInAnyOrder(named("gpu", "B"), discrete("apple", 1));
  }
}
