package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Published-port conflicts between services. */
final class PortConflicts {

  private PortConflicts() {}

  /**
   * Best-effort check that published ports are not taken by another service: an ingress port
   * excludes any other use of the port; several services may share a host-mode port.
   */
  static void check(Supplier<List<Service>> services, ServiceSpec spec, String updatedServiceId) {
    if (!spec.hasEndpoint()) {
      return;
    }
    record Published(PortConfig.Protocol protocol, int port) {
      static Published of(PortConfig p) {
        return new Published(p.getProtocol(), p.getPublishedPort());
      }
    }
    Set<Published> ingress = new HashSet<>();
    Set<Published> host = new HashSet<>();
    for (PortConfig port : spec.getEndpoint().getPortsList()) {
      if (port.getPublishedPort() == 0) {
        continue;
      }
      if (port.getPublishMode() == PortConfig.PublishMode.INGRESS) {
        ingress.add(Published.of(port));
      } else if (port.getPublishMode() == PortConfig.PublishMode.HOST) {
        host.add(Published.of(port));
      }
    }
    if (ingress.isEmpty() && host.isEmpty()) {
      return;
    }
    for (Service other : services.get()) {
      if (!updatedServiceId.isEmpty() && other.getId().equals(updatedServiceId)) {
        continue;
      }
      List<PortConfig> used = new ArrayList<>(other.getSpec().getEndpoint().getPortsList());
      used.addAll(other.getEndpoint().getPortsList());
      for (PortConfig port : used) {
        if (port.getPublishedPort() == 0) {
          continue;
        }
        Published p = Published.of(port);
        if (port.getPublishMode() == PortConfig.PublishMode.HOST && ingress.contains(p)) {
          throw ApiErrors.invalidArgument(
              "port '%d' is already in use by service '%s' (%s) as a host-published port",
              port.getPublishedPort(), other.getSpec().getAnnotations().getName(), other.getId());
        }
        if (port.getPublishMode() == PortConfig.PublishMode.INGRESS
            && (ingress.contains(p) || host.contains(p))) {
          throw ApiErrors.invalidArgument("port '%d' is already in use by service '%s' (%s) as an ingress port",
              port.getPublishedPort(), other.getSpec().getAnnotations().getName(), other.getId());
        }
      }
    }
  }
}
