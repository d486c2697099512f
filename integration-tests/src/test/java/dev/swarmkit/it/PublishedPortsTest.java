package dev.swarmkit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.executor.docker.DockerEngineCheck;
import dev.swarmkit.executor.docker.RequiresDocker;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Table;
import dev.swarmkit.swarmd.SwarmNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Published ports through real nodes: host mode binds on the task's node and keeps two such tasks
 * off one node; ingress ports are allocated cluster-wide by the manager, conflicts are refused, and
 * a removed service gives its port back. Tasks run as containers on the one local engine.
 */
@RequiresDocker
class PublishedPortsTest extends WithDockerSwarm {

  private static final Duration LONG = Duration.ofSeconds(60);

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** GET of a file busybox httpd serves from the container's /etc. */
  static HttpResponse<String> get(int port, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String[] httpd(String name, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("service", "create", "--name", name, "--image",
        DockerEngineCheck.TEST_IMAGE, "--command", "httpd", "--args=-f,-p,80,-h,/etc"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<Task> tasksOf(SwarmNode manager, String serviceId) {
    return manager.manager().orElseThrow().store().view(tx -> tx.find(Table.TASKS, By.serviceId(serviceId)));
  }

  private static Service service(SwarmNode manager, String id) {
    return manager.manager().orElseThrow().store().view(tx -> tx.get(Table.SERVICES, id)).orElseThrow();
  }

  @Test
  void aHostModePortAnswersOnTheTasksNodeAndASecondTaskGoesToAnotherNode() throws Exception {
    SwarmNode manager = swarm.start("node-1", "", "", "docker");
    containers.track(manager.nodeId());
    // The second node runs tasks on the simulated executor: both nodes share this machine's one
    // engine, which could bind the host port only once.
    SwarmNode worker = swarm.start("node-2", TestSwarm.remoteAddress(manager), swarm.joinToken("node-1", "Worker"),
        "simulated");
    TestSwarm.awaitReady(manager, 2);
    int port = freePort();

    String id = swarm.swarmctlOk("node-1", httpd("web", "--replicas", "3", "--ports", "http:80:" + port))
        .trim();

    await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
      HttpResponse<String> r = get(port, "/hostname");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isNotBlank();
    });
    await().atMost(LONG).untilAsserted(() -> {
      List<Task> tasks = tasksOf(manager, id);
      List<Task> running = tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
      assertThat(running).extracting(Task::getNodeId)
          .containsExactlyInAnyOrder(manager.nodeId(), worker.nodeId());
      assertThat(running).allSatisfy(t -> assertThat(t.getEndpoint().getPortsList()).containsExactly(
          PortConfig.newBuilder().setName("http").setTargetPort(80).setPublishedPort(port)
              .setPublishMode(PortConfig.PublishMode.HOST).build()));
      // a third replica has no node left whose port is free
      assertThat(tasks).filteredOn(t -> t.getStatus().getState() == TaskState.PENDING).singleElement()
          .satisfies(t -> assertThat(t.getStatus().getErr())
              .isEqualTo("no suitable node (host-mode port already in use on 2 nodes)"));
    });
    assertThat(containers.ofService("web", false)).singleElement().satisfies(c ->
        assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getPublicPort()).isEqualTo(port)));
  }

  @Test
  void ingressPortsAreAllocatedClusterWideConflictsAreRefusedAndRemovalFreesThem() throws Exception {
    SwarmNode manager = swarm.dockerSwarm(1, containers::track, null);
    int port = freePort();

    String web = swarm.swarmctlOk("node-1", httpd("web", "--ports", "http:80:" + port, "--publish-mode", "ingress"))
        .trim();
    await().atMost(LONG).ignoreExceptions().untilAsserted(() -> assertThat(get(port, "/hostname").statusCode())
        .isEqualTo(200));
    assertThat(service(manager, web).getEndpoint().getPortsList()).extracting(PortConfig::getPublishedPort)
        .containsExactly(port);

    // the same port again, in either mode: refused, nothing created
    for (String mode : List.of("ingress", "host")) {
      TestSwarm.Result clash = swarm.swarmctl("node-1", httpd("clash", "--ports", "http:80:" + port,
          "--publish-mode", mode));
      assertThat(clash.exitCode()).isNotZero();
      assertThat(clash.err()).startsWith("Error: port '" + port + "' is already in use by service 'web'");
    }
    assertThat(swarm.swarmctlOk("node-1", "service", "ls")).doesNotContain("clash");

    // unset published ports: unique ports of 30000-32767 (no replicas: only the allocation is checked)
    String dyn1 = swarm.swarmctlOk("node-1", "service", "create", "--name", "dyn1", "--image",
        DockerEngineCheck.TEST_IMAGE, "--replicas", "0", "--ports", "a:80,b:81", "--publish-mode", "ingress").trim();
    String dyn2 = swarm.swarmctlOk("node-1", "service", "create", "--name", "dyn2", "--image",
        DockerEngineCheck.TEST_IMAGE, "--replicas", "0", "--ports", "a:80", "--publish-mode", "ingress").trim();
    await().atMost(LONG).untilAsserted(() -> {
      List<Integer> ports = new java.util.ArrayList<>();
      for (String id : List.of(dyn1, dyn2)) {
        service(manager, id).getEndpoint().getPortsList().forEach(p -> ports.add(p.getPublishedPort()));
      }
      assertThat(ports).hasSize(3).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isBetween(30000, 32767));
    });

    swarm.swarmctlOk("node-1", "service", "rm", "web");
    await().atMost(LONG).untilAsserted(() -> assertThat(containers.ofService("web", true)).isEmpty());
    String again = swarm.swarmctlOk("node-1", httpd("again", "--ports", "http:80:" + port, "--publish-mode",
        "ingress")).trim();
    await().atMost(LONG).ignoreExceptions().untilAsserted(() -> assertThat(get(port, "/hostname").statusCode())
        .isEqualTo(200));
    assertThat(service(manager, again).getEndpoint().getPortsList()).extracting(PortConfig::getPublishedPort)
        .containsExactly(port);
  }
}
