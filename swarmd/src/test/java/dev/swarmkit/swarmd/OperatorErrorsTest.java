package dev.swarmkit.swarmd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ThrowableProxy;
import dev.swarmkit.ca.NodeCertificateFiles;
import io.grpc.Status;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags of a restart, the promoted socket path, and how failures read. */
class OperatorErrorsTest {

  @TempDir Path dir;

  private SwarmdConfig parse(String... args) {
    SwarmdCommand command = new SwarmdCommand();
    new CommandLine(command).parseArgs(args);
    return command.toConfig();
  }

  @Test
  void aJoinedNodeRestartsWithAJoinAddressAndNoToken() throws Exception {
    NodeCertificateFiles files = NodeCertificateFiles.inStateDir(dir);
    for (Path p : new Path[] {files.rootCertPath(), files.nodeCertPath(), files.nodeKeyPath()}) {
      Files.createDirectories(p.getParent());
      Files.writeString(p, "x");
    }
    SwarmdConfig config = parse("-d", dir.toString(), "--join-addr", "127.0.0.1:4242");
    assertThat(config.joinAddr()).isEqualTo("127.0.0.1:4242");
    assertThat(config.joinToken()).isEmpty();
  }

  @Test
  void aPromotionWithoutAControlSocketFlagUsesOneInsideTheStateDir() {
    SwarmdConfig defaulted = parse("-d", dir.toString());
    assertThat(defaulted.controlSocketGiven()).isFalse();
    assertThat(defaulted.controlSocket()).isEqualTo(Path.of("/var/run/swarmd.sock"));
    assertThat(defaulted.promotedControlSocket()).isEqualTo(dir.resolve("swarmd.sock"));

    SwarmdConfig given = parse("-d", dir.toString(), "--listen-control-api", "/tmp/x.sock");
    assertThat(given.promotedControlSocket()).isEqualTo(Path.of("/tmp/x.sock"));
  }

  @Test
  void joinFailuresReadAsWhatFailedWhyAndWhatToTry() {
    JoinFailure refused = JoinFailure.of("127.0.0.1:9999", Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:9999"))
        .asRuntimeException());
    assertThat(refused).isEqualTo(new JoinFailure(
        "cannot reach manager 127.0.0.1:9999: connection refused; is --join-addr right?", true));

    JoinFailure slow = JoinFailure.of("m:1", Status.DEADLINE_EXCEEDED.asRuntimeException());
    assertThat(slow.retry()).isTrue();
    assertThat(slow.message()).isEqualTo("manager m:1 did not answer in time; it may be overloaded or without a leader");

    JoinFailure otherSwarm = JoinFailure.of("m:1",
        new CertificateException("remote CA does not match fingerprint. Expected: ab"));
    assertThat(otherSwarm.retry()).isFalse();
    assertThat(otherSwarm.message()).startsWith("--join-token does not belong to the swarm at m:1");
  }

  @Test
  void anExceptionIsLoggedAsOneLineUnlessDebug() {
    Exception e = new IllegalStateException("outer", new ConnectException("Connection refused"));
    LogLevels.apply("info");
    String line = converter().convert(eventWith(e));
    assertThat(line).isEqualTo("; cause: IllegalStateException: outer <- ConnectException: Connection refused");

    LogLevels.apply("debug");
    try {
      assertThat(converter().convert(eventWith(e))).startsWith(System.lineSeparator() + "java.lang.IllegalStateException: outer")
          .contains("\tat ").doesNotEndWith(System.lineSeparator());
    } finally {
      LogLevels.apply("info");
    }
  }

  @Test
  void raftReportsOfAServerStartingOrClosingAreDropped() {
    RaftNoiseFilter filter = new RaftNoiseFilter();
    ch.qos.logback.classic.spi.LoggingEvent closing = eventWith(new RuntimeException("append failed",
        new org.apache.ratis.protocol.exceptions.ServerNotReadyException("closing")));
    closing.setLoggerName("org.apache.ratis.server.RaftServer$Division");
    assertThat(filter.decide(closing)).isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
    ch.qos.logback.classic.spi.LoggingEvent other = eventWith(new RuntimeException("disk failed"));
    other.setLoggerName("org.apache.ratis.server.RaftServer$Division");
    assertThat(filter.decide(other)).isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
  }

  private static CauseConverter converter() {
    CauseConverter c = new CauseConverter();
    c.setContext(new ch.qos.logback.classic.LoggerContext());
    c.start();
    return c;
  }

  private static ch.qos.logback.classic.spi.LoggingEvent eventWith(Throwable t) {
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent();
    event.setThrowableProxy(new ThrowableProxy(t));
    event.setMessage("m");
    return event;
  }
}
