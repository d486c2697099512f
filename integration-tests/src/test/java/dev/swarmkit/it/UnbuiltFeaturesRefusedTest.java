package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through swarmctl against a real manager: settings this swarm would store but not act on (secret
 * drivers), or could not act on safely (an external CA without TLS), are refused with a clear
 * message, and the cluster is left as it was.
 */
class UnbuiltFeaturesRefusedTest {

  @TempDir Path dir;
  private TestSwarm swarm;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(dir);
  }

  @AfterEach
  void tearDown() {
    swarm.close();
  }

  @Test
  void plainHttpExternalCaAndSecretDriversAreRefusedAndChangeNothing() throws Exception {
    swarm.init("node-1");
    String clusterBefore = swarm.swarmctlOk("node-1", "cluster", "inspect", "default");

    TestSwarm.Result externalCa = swarm.swarmctl("node-1", "cluster", "update", "default",
        "--external-ca", "protocol=cfssl,url=http://127.0.0.1:1/sign");
    assertThat(externalCa.exitCode()).isNotZero();
    assertThat(externalCa.err()).contains("external CA URL must be an https:// URL");

    TestSwarm.Result driven = swarm.swarmctl("node-1", "secret", "create", "vaulted", "--driver", "vault");
    assertThat(driven.exitCode()).isNotZero();
    assertThat(driven.err()).contains("secret driver vault is not available");

    assertThat(swarm.swarmctlOk("node-1", "cluster", "inspect", "default")).isEqualTo(clusterBefore);
    assertThat(swarm.swarmctlOk("node-1", "secret", "ls", "-q")).isBlank();
  }
}
