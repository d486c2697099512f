package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Network;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.manager.allocator.Networks;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;
import java.util.Optional;

/** The routing-mesh (ingress) network rules the control API enforces. */
final class Ingress {

  private Ingress() {}

  static boolean isIngressNetwork(Network network) {
    return Networks.isIngress(network);
  }

  /** Whether the service publishes a port through the routing mesh. */
  static boolean isNeeded(ServiceSpec spec) {
    return spec.hasEndpoint() && spec.getEndpoint().getPortsList().stream()
        .anyMatch(p -> p.getPublishMode() == PortConfig.PublishMode.INGRESS);
  }

  static boolean isNeeded(Service service) {
    return isNeeded(service.getSpec());
  }

  static Optional<Network> find(ReadTx tx) {
    return tx.all(Table.NETWORKS).stream().filter(Ingress::isIngressNetwork).findFirst();
  }
}
