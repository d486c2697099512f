package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The published ports of a task's container, from the task's endpoint (the ports the manager's
 * allocator recorded). Host mode: the target port is bound to the published port (or a port the
 * engine picks when none is set) on this node. Ingress mode: the manager allocated a cluster-wide
 * published port, and every node running a task of the service binds it to the target port, so the
 * port answers on those nodes; there is no routing mesh, so a node without a task of the service
 * does not answer on it.
 */
final class TaskPorts {

  private final List<PortConfig> ports;

  TaskPorts(Task task) {
    this.ports = task.hasEndpoint() ? task.getEndpoint().getPortsList() : List.of();
  }

  List<ExposedPort> exposed() {
    List<ExposedPort> exposed = new ArrayList<>();
    for (PortConfig port : published()) {
      ExposedPort target = target(port);
      if (!exposed.contains(target)) {
        exposed.add(target);
      }
    }
    return exposed;
  }

  List<PortBinding> bindings() {
    List<PortBinding> bindings = new ArrayList<>();
    for (PortConfig port : published()) {
      Ports.Binding binding = port.getPublishedPort() != 0
          ? Ports.Binding.bindPort(port.getPublishedPort())
          : Ports.Binding.empty();
      bindings.add(new PortBinding(binding, target(port)));
    }
    return bindings;
  }

  /** Whether the engine's binding of {@code target} is a host-mode port (reported in the task status). */
  boolean isHostMode(int targetPort, PortConfig.Protocol protocol, int publishedPort) {
    for (PortConfig p : ports) {
      if (p.getTargetPort() == targetPort && p.getProtocol() == protocol
          && p.getPublishMode() == PortConfig.PublishMode.INGRESS && p.getPublishedPort() == publishedPort) {
        return false;
      }
    }
    return true;
  }

  private List<PortConfig> published() {
    return ports.stream().filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST
        || (p.getPublishMode() == PortConfig.PublishMode.INGRESS && p.getPublishedPort() != 0)).toList();
  }

  private static ExposedPort target(PortConfig port) {
    InternetProtocol protocol = switch (port.getProtocol()) {
      case UDP -> InternetProtocol.UDP;
      case SCTP -> InternetProtocol.SCTP;
      default -> InternetProtocol.TCP;
    };
    return new ExposedPort(port.getTargetPort(), protocol);
  }
}
