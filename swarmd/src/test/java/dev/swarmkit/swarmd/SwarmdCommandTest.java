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
  }

  @Test
  void externalCasAreParsedAndOnlyForANewSwarm() {
    assertThat(parse("--external-ca", "protocol=cfssl,url=https://ca/sign", "--external-ca",
        "protocol=cfssl,url=https://ca2/sign").externalCas()).containsExactly("protocol=cfssl,url=https://ca/sign",
        "protocol=cfssl,url=https://ca2/sign");
    assertThatThrownBy(() -> parse("--external-ca", "url=https://ca/sign"))
        .hasMessage("invalid --external-ca: protocol is a required field");
    assertThatThrownBy(() -> parse("--external-ca", "protocol=cfssl,url=https://ca/sign", "--join-addr",
        "127.0.0.1:4242", "--join-token", "t"))
        .hasMessage("--external-ca applies when a swarm is created; a joining node follows the swarm's setting");
  }

  @Test
  void autolockAndUnlockKeyAreParsedAndChecked() {
    assertThat(parse("--autolock").autolock()).isTrue();
    assertThat(parse("--unlock-key", "SWMKEY-1-AAECAw").unlockKey()).isEqualTo("SWMKEY-1-AAECAw");
    assertThatThrownBy(() -> parse("--unlock-key", "k"))
        .hasMessage("invalid unlock key: it must start with SWMKEY-1-");
    assertThatThrownBy(() -> parse("--autolock", "--join-addr", "127.0.0.1:4242", "--join-token", "t"))
        .hasMessage("--autolock applies when a swarm is created; a joining manager follows the swarm's setting");
  }

  @Test
  void listenDebugTakesAHostAndPortOrABarePortOnLoopback() {
    SwarmdCommand command = new SwarmdCommand();
    new CommandLine(command).parseArgs("--listen-debug", "6060");
    command.toConfig();
    assertThat(command.debugAddress()).hasValueSatisfying(a -> {
      assertThat(a.getAddress().isLoopbackAddress()).isTrue();
      assertThat(a.getPort()).isEqualTo(6060);
    });
    assertThatThrownBy(() -> parse("--listen-debug", "host:port"))
        .hasMessage("--listen-debug has an invalid port: \"host:port\"");
  }

  @Test
  void logFormatIsTextOrJson() {
    parse("--log-format", "json");
    parse("--log-format", "text");
    assertThatThrownBy(() -> parse("--log-format", "xml")).hasMessage("invalid --log-format xml: text or json");
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
    assertThatThrownBy(() -> parse("-d", "/nonexistent/state", "--join-addr", "127.0.0.1:4242"))
        .hasMessage("--join-addr needs --join-token: /nonexistent/state holds no node yet; copy a token from "
            + "`swarmctl cluster inspect default` on a manager");
    assertThatThrownBy(() -> parse("--heartbeat-tick", "5", "--election-tick", "5"))
        .hasMessageContaining("--election-tick must be greater than --heartbeat-tick");
    assertThatThrownBy(() -> parse("--log-level", "loud")).hasMessage("invalid --log-level loud");
    assertThatThrownBy(() -> parse("--tick-interval", "soon"))
        .hasMessage("invalid --tick-interval: time: invalid duration \"soon\"");
  }

  @Test
  void tickIntervalTakesGoDurationsAsSwarmctlDoes() throws Exception {
    // 1.5s was refused by swarmd's former parser while swarmctl accepted it: one codec now.
    SwarmdConfig config = parse("--tick-interval", "1.5s", "--heartbeat-tick", "1", "--election-tick", "3");
    assertThat(config.raftHeartbeat()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.raftElectionTimeout()).isEqualTo(Duration.ofMillis(4500));
    assertThatThrownBy(() -> parse("--tick-interval", "1"))
        .hasMessage("invalid --tick-interval: time: missing unit in duration \"1\"");
  }

  @Test
  void addressesNeedHostAndPort() {
    assertThat(Addresses.parse("127.0.0.1:4242", "--x").getPort()).isEqualTo(4242);
    assertThatThrownBy(() -> Addresses.parse("4242", "--join-addr"))
        .hasMessage("--join-addr must be host:port, got \"4242\"");
    assertThatThrownBy(() -> Addresses.parse("h:99999", "--join-addr")).hasMessageContaining("invalid port");
  }
}
