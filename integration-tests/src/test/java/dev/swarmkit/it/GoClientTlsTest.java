package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swarmkit.swarmd.SwarmNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS clients that send the server names upstream's Go clients send complete their handshake: the
 * control socket's path on the control socket, and "swarm-manager" or an address on the remote API.
 */
class GoClientTlsTest {

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    assumeTrue(OpensslClient.available(), "openssl CLI not installed");
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  void controlSocketAcceptsItsOwnPathAsServerName() throws Exception {
    swarm.init("node-1");
    Path socket = swarm.socketOf("node-1");

    OpensslClient.Handshake handshake = OpensslClient.unixSocket(socket, socket.toString());

    assertThat(handshake.negotiatedH2()).as(handshake.output()).isTrue();
  }

  @Test
  void remoteApiAcceptsTheNamesGoClientsSend() throws Exception {
    SwarmNode manager = swarm.init("node-1");
    String address = TestSwarm.remoteAddress(manager);

    for (String name : new String[] {"swarm-manager", "127.0.0.1", swarm.socketOf("node-1").toString()}) {
      OpensslClient.Handshake handshake = OpensslClient.tcp(address, name);
      assertThat(handshake.negotiatedH2()).as(name + ":\n" + handshake.output()).isTrue();
    }
  }
}
