package dev.swarmkit.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityTest {

  @Test
  void newIdsAre25LowerCaseBase36Characters() {
    for (int i = 0; i < 1000; i++) {
      String id = Identity.newId();
      assertThat(id).hasSize(25).matches("[0-9a-z]{25}");
      assertThat(Identity.isId(id)).isTrue();
    }
  }

  @Test
  void newIdsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(Identity.newId())).isTrue();
    }
  }

  @Test
  void isIdRejectsOtherShapes() {
    assertThat(Identity.isId("ABCDEFGHIJKLMNOPQRSTUVWXY")).isFalse();
    assertThat(Identity.isId("short")).isFalse();
    assertThat(Identity.isId(null)).isFalse();
  }
}
