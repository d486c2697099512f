package dev.swarmkit.executor.docker;

import static dev.swarmkit.executor.docker.TestTasks.shell;
import static dev.swarmkit.executor.docker.TestTasks.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.async.ResultCallback;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Task;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Published ports and network attachments of task containers on a real engine. */
@RequiresDocker
class DockerNetworkingTest {

  private static final Duration READY = Duration.ofSeconds(20);

  private final String nodeId = TestTasks.newId();
  private DockerExecutor executor;
  private DockerClient docker;

  @BeforeEach
  void setUp() {
    executor = new DockerExecutor(DockerExecutorConfig.defaults());
    docker = executor.client();
  }

  @AfterEach
  void removeThisTestsContainers() throws Exception {
    new OrphanReaper(docker, nodeId).reap(taskId -> false);
    executor.close();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private DockerController run(Task task) throws Exception {
    DockerController c = executor.controller(task);
    c.prepare();
    c.start();
    c.waitReady(READY);
    return c;
  }

  private static Task httpd(String nodeId, String body, PortConfig port) {
    return task(nodeId, "web", 1, shell("mkdir -p /www && echo " + body + " > /www/index.html && httpd -f -p 80 -h /www"))
        .toBuilder().setEndpoint(Endpoint.newBuilder().addPorts(port)).build();
  }

  static String get(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().trim();
  }

  @Test
  void aHostModePortAnswersOnThePublishedPortAndIsReportedInThePortStatus() throws Exception {
    int published = freePort();
    PortConfig port = PortConfig.newBuilder().setProtocol(PortConfig.Protocol.TCP).setTargetPort(80)
        .setPublishedPort(published).setPublishMode(PortConfig.PublishMode.HOST).build();
    DockerController c = run(httpd(nodeId, "host-mode", port));
    try {
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .untilAsserted(() -> assertThat(get(published)).isEqualTo("200 host-mode"));
      assertThat(c.portStatus().getPortsList()).containsExactly(port);
    } finally {
      c.remove();
    }
  }

  @Test
  void anIngressPortIsBoundOnTheNodeButNotReportedAsAHostPort() throws Exception {
    int published = freePort();
    PortConfig port = PortConfig.newBuilder().setProtocol(PortConfig.Protocol.TCP).setTargetPort(80)
        .setPublishedPort(published).setPublishMode(PortConfig.PublishMode.INGRESS).build();
    DockerController c = run(httpd(nodeId, "ingress-mode", port));
    try {
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .untilAsserted(() -> assertThat(get(published)).isEqualTo("200 ingress-mode"));
      assertThat(c.portStatus().getPortsList()).isEmpty();
    } finally {
      c.remove();
    }
  }

  private Network network(String name, String subnet, String gateway) {
    return Network.newBuilder().setId(TestTasks.newId())
        .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name)))
        .setIpam(IPAMOptions.newBuilder().addConfigs(IPAMConfig.newBuilder().setSubnet(subnet).setGateway(gateway)))
        .build();
  }

  private String exec(DockerController c, String... cmd) throws Exception {
    ExecCreateCmdResponse exec = docker.execCreateCmd(c.containerName()).withCmd(cmd)
        .withAttachStdout(true).withAttachStderr(true).exec();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>() {
      @Override
      public void onNext(Frame frame) {
        out.writeBytes(frame.getPayload());
      }
    }).awaitCompletion(20, TimeUnit.SECONDS);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theContainerHasItsAllocatedAddressOnABridgeLabelledWithTheSwarmNetwork() throws Exception {
    String name = "swarmkit-test-" + nodeId.substring(0, 12);
    Network network = network(name, "10.231.9.0/24", "10.231.9.1");
    Task task = task(nodeId, "net", 1, shell("sleep 30")).toBuilder()
        .addNetworks(NetworkAttachment.newBuilder().setNetwork(network).addAddresses("10.231.9.17/24"))
        .build();
    DockerController c = run(task);
    try {
      assertThat(exec(c, "ip", "-4", "addr", "show", "eth0")).contains("inet 10.231.9.17/24");
      var engineNetwork = docker.inspectNetworkCmd().withNetworkId(name).exec();
      assertThat(engineNetwork.getDriver()).isEqualTo("bridge");
      assertThat(engineNetwork.getLabels()).containsEntry(TaskNetworks.LABEL_NETWORK_ID, network.getId());
      assertThat(engineNetwork.getIpam().getConfig()).singleElement().satisfies(cfg -> {
        assertThat(cfg.getSubnet()).isEqualTo("10.231.9.0/24");
        assertThat(cfg.getGateway()).isEqualTo("10.231.9.1");
      });
    } finally {
      c.remove();
    }
    assertThat(docker.listNetworksCmd().withNameFilter(name).exec()).noneMatch(n -> n.getName().equals(name));
  }

  @Test
  void anEngineNetworkOfTheSameNameThatIsNotOursRejectsTheTaskAndIsLeftAlone() throws Exception {
    String name = "swarmkit-test-" + nodeId.substring(0, 12);
    docker.createNetworkCmd().withName(name).withDriver("bridge").withLabels(Map.of("owner", "someone-else")).exec();
    try {
      Task task = task(nodeId, "net", 1, shell("sleep 30")).toBuilder()
          .addNetworks(NetworkAttachment.newBuilder().setNetwork(network(name, "10.231.10.0/24", "10.231.10.1"))
              .addAddresses("10.231.10.5/24"))
          .build();
      DockerController c = executor.controller(task);
      assertThatThrownBy(c::prepare).isInstanceOf(ExecutorException.Rejected.class)
          .hasMessageContaining("engine network " + name + " exists and is not the one of swarm network");
      c.remove();
      assertThat(docker.inspectNetworkCmd().withNetworkId(name).exec().getLabels()).containsEntry("owner", "someone-else");
    } finally {
      docker.removeNetworkCmd(name).exec();
    }
  }

  @Test
  void anUnusedEngineNetworkThatAnEarlierSwarmLeftBehindIsReplaced() throws Exception {
    String name = "swarmkit-test-" + nodeId.substring(0, 12);
    docker.createNetworkCmd().withName(name).withDriver("bridge")
        .withLabels(Map.of(TaskNetworks.LABEL_NETWORK_ID, "old-swarm-network")).exec();
    Network network = network(name, "10.231.11.0/24", "10.231.11.1");
    Task task = task(nodeId, "net", 1, shell("sleep 30")).toBuilder()
        .addNetworks(NetworkAttachment.newBuilder().setNetwork(network).addAddresses("10.231.11.9/24"))
        .build();
    DockerController c = run(task);
    try {
      assertThat(docker.inspectNetworkCmd().withNetworkId(name).exec().getLabels())
          .containsEntry(TaskNetworks.LABEL_NETWORK_ID, network.getId());
      assertThat(exec(c, "ip", "-4", "addr", "show", "eth0")).contains("inet 10.231.11.9/24");
    } finally {
      c.remove();
    }
  }
}
