package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SwarmdCommandTest {

  private static SwarmdConfig parse(String... args) {
    SwarmdCommand command = new SwarmdCommand();
    new CommandLine(command).parseArgs(args);
    return command.toConfig();
  }

  @Test
  void defaultsAreUpstreams() {
    SwarmdConfig config = parse();
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/swarmd"));
    assertThat(config.listenRemoteApi()).isEqualTo("0.0.0.0:4242");
    assertThat(config.controlSocket()).isEqualTo(Path.of("/var/run/swarmd.sock"));
    assertThat(config.engineAddr()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(config.joining()).isFalse();
  }

  @Test
  void defaultTicksElectWithinThreeToSixSeconds() {
    SwarmdConfig config = parse();
    assertThat(config.raftHeartbeat()).isEqualTo(Duration.ofMillis(300));
    assertThat(config.raftElectionTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void ticksScaleWithTheTickInterval() {
    SwarmdConfig config = parse("--heartbeat-tick", "2", "--election-tick", "20", "--tick-interval", "50ms");
    assertThat(config.raftHeartbeat()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.raftElectionTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void flagsOfFeaturesNotBuiltAreRefusedNotIgnored() {
    assertThatThrownBy(() -> parse("--autolock")).hasMessage("--autolock is not supported yet");
    assertThatThrownBy(() -> parse("--unlock-key", "k")).hasMessage("--unlock-key is not supported yet");
    assertThatThrownBy(() -> parse("--external-ca", "protocol=cfssl,url=https://ca"))
        .hasMessage("--external-ca is not supported yet");
  }

  @Test
  void listenMetricsIsAHostAndPort() {
    SwarmdCommand command = new SwarmdCommand();
    new CommandLine(command).parseArgs("--listen-metrics", "127.0.0.1:9090");
    command.toConfig();
    assertThat(command.metricsAddress()).hasValueSatisfying(a -> {
      assertThat(a.getHostString()).isEqualTo("127.0.0.1");
      assertThat(a.getPort()).isEqualTo(9090);
    });
    SwarmdCommand none = new SwarmdCommand();
    new CommandLine(none).parseArgs();
    assertThat(none.metricsAddress()).isEmpty();
    assertThatThrownBy(() -> parse("--listen-metrics", "9090"))
        .hasMessage("--listen-metrics must be host:port, got \"9090\"");
  }

  @Test
  void badCombinationsGetClearErrors() {
    assertThatThrownBy(() -> parse("--join-addr", "127.0.0.1:4242")).hasMessage("--join-addr needs --join-token");
    assertThatThrownBy(() -> parse("--heartbeat-tick", "5", "--election-tick", "5"))
        .hasMessageContaining("--election-tick must be greater than --heartbeat-tick");
    assertThatThrownBy(() -> parse("--log-level", "loud")).hasMessage("invalid --log-level loud");
    assertThatThrownBy(() -> parse("--tick-interval", "soon")).hasMessageContaining("not a duration");
  }

  @Test
  void goDurationsParse() {
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("5 s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addressesNeedHostAndPort() {
    assertThat(Addresses.parse("127.0.0.1:4242", "--x").getPort()).isEqualTo(4242);
    assertThatThrownBy(() -> Addresses.parse("4242", "--join-addr"))
        .hasMessage("--join-addr must be host:port, got \"4242\"");
    assertThatThrownBy(() -> Addresses.parse("h:99999", "--join-addr")).hasMessageContaining("invalid port");
  }
}
