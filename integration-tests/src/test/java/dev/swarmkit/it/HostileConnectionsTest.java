package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.swarmctl.UnixSocketChannels;
import dev.swarmkit.swarmd.SwarmNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile connections on every listening surface of a manager (remote API, Raft port, control
 * socket): garbage bytes and TLS handshakes left half-open do not stop it from serving everyone else,
 * and a message over the size limit is refused with RESOURCE_EXHAUSTED.
 */
class HostileConnectionsTest {

  @TempDir Path dir;

  /** The first bytes of a TLS ClientHello record, then nothing: a handshake left half-open. */
  private static final byte[] HALF_CLIENT_HELLO = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};

  @Test
  void garbageAndHalfOpenTlsConnectionsLeaveTheManagerServingOthers() throws Exception {
    try (TestSwarm swarm = new TestSwarm(dir)) {
      SwarmNode manager = swarm.init("node-1");
      TestSwarm.awaitReady(manager, 1);
      int remotePort = manager.manager().orElseThrow().remotePort();
      Random random = new Random(15);
      List<AutoCloseable> held = new ArrayList<>();
      try {
        for (int port : new int[] {remotePort, remotePort + 1}) {
          for (int i = 0; i < 10; i++) {
            Socket garbage = new Socket();
            garbage.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            byte[] bytes = new byte[1 + random.nextInt(8192)];
            random.nextBytes(bytes);
            writeQuietly(garbage.getOutputStream(), bytes);
            held.add(garbage);
            Socket halfOpen = new Socket();
            halfOpen.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            writeQuietly(halfOpen.getOutputStream(), HALF_CLIENT_HELLO);
            held.add(halfOpen);
          }
        }
        for (int i = 0; i < 10; i++) {
          SocketChannel garbage = SocketChannel.open(StandardProtocolFamily.UNIX);
          garbage.connect(UnixDomainSocketAddress.of(swarm.socketOf("node-1")));
          byte[] bytes = new byte[1 + random.nextInt(8192)];
          random.nextBytes(bytes);
          try {
            garbage.write(ByteBuffer.wrap(bytes));
          } catch (java.io.IOException closedByServer) {
            // the server may hang up at once; that is fine
          }
          held.add(garbage);
          SocketChannel halfOpen = SocketChannel.open(StandardProtocolFamily.UNIX);
          halfOpen.connect(UnixDomainSocketAddress.of(swarm.socketOf("node-1")));
          halfOpen.write(ByteBuffer.wrap(HALF_CLIENT_HELLO));
          held.add(halfOpen);
        }
        // With all of those still open, the manager serves a real client.
        assertThat(swarm.swarmctlOk("node-1", "node", "ls")).contains("node-1");
        java.nio.file.Path data = dir.resolve("secret.txt");
        java.nio.file.Files.writeString(data, "x");
        assertThat(swarm.swarmctlOk("node-1", "secret", "create", "after-garbage", "--file", data.toString()))
            .isNotBlank();
      } finally {
        for (AutoCloseable c : held) {
          c.close();
        }
      }
      assertThat(swarm.swarmctlOk("node-1", "secret", "ls")).contains("after-garbage");
    }
  }

  @Test
  void aMessageOverTheSizeLimitIsRefusedWithResourceExhausted() throws Exception {
    try (TestSwarm swarm = new TestSwarm(dir)) {
      swarm.init("node-1");
      try (UnixSocketChannels.Connection c = UnixSocketChannels.open(swarm.socketOf("node-1").toString(), false)) {
        ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(c.channel())
            .withDeadlineAfter(60, TimeUnit.SECONDS);
        byte[] huge = new byte[129 * 1024 * 1024];
        StatusRuntimeException refused = catchThrowableOfType(() -> control.createSecret(CreateSecretRequest.newBuilder()
            .setSpec(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("huge"))
                .setData(ByteString.copyFrom(huge))).build()), StatusRuntimeException.class);
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      }
      assertThat(swarm.swarmctlOk("node-1", "secret", "ls")).doesNotContain("huge");
    }
  }

  private static void writeQuietly(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (java.io.IOException closedByServer) {
      // the server may hang up at once; that is fine
    }
  }
}
