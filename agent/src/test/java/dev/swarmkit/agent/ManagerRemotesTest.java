package dev.swarmkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagerRemotesTest {

  @TempDir Path dir;

  @Test
  void theManagersLearntAreRememberedInTheStateDirAsUpstreamWritesThem() throws Exception {
    Path file = dir.resolve("state.json");
    ManagerRemotes remotes = new ManagerRemotes(() -> List.of("10.0.0.1:4242"), file);
    Map<String, Long> announced = new LinkedHashMap<>();
    announced.put("10.0.0.2:4242", 10L);
    announced.put("10.0.0.1:4242", 10L);
    remotes.replace(announced);

    assertThat(Files.readString(file)).isEqualTo(
        "[{\"NodeID\":\"\",\"Addr\":\"10.0.0.1:4242\"},{\"NodeID\":\"\",\"Addr\":\"10.0.0.2:4242\"}]");
    ManagerRemotes restarted = new ManagerRemotes(List::of, file);
    assertThat(restarted.weights()).containsOnlyKeys("10.0.0.1:4242", "10.0.0.2:4242");
    assertThat(restarted.select(null)).isPresent();
  }

  @Test
  void aJoinAddressReplacesWhatWasRemembered() throws Exception {
    Path file = dir.resolve("state.json");
    Files.writeString(file, "[{\"NodeID\":\"\",\"Addr\":\"10.0.0.9:4242\"}]");
    ManagerRemotes remotes = new ManagerRemotes(() -> List.of("10.0.0.1:4242"), file);
    assertThat(remotes.select(null)).hasValue("10.0.0.1:4242");
  }

  @Test
  void anEmptyAddressIsNeverACandidate() {
    ManagerRemotes remotes = new ManagerRemotes(() -> List.of(""), dir.resolve("state.json"));
    remotes.observe("", -50);
    assertThat(remotes.select(null)).isEmpty();
    assertThat(dir.resolve("state.json")).doesNotExist();
  }

  @Test
  void aRepeatedFailureIsReportedFirstThenSummarised() {
    Outage outage = new Outage(Duration.ofSeconds(30));
    long s = Duration.ofSeconds(1).toNanos();
    assertThat(outage.failed(0)).isTrue();
    assertThat(outage.failed(5 * s)).isFalse();
    assertThat(outage.summaryDue(10 * s)).isFalse();
    assertThat(outage.summaryDue(30 * s)).isTrue();
    assertThat(outage.describe(30 * s)).isEqualTo("for 30 s, 2 attempts");
    assertThat(outage.summaryDue(31 * s)).isFalse();
    assertThat(outage.recovered()).isTrue();
    assertThat(outage.recovered()).isFalse();
  }
}
