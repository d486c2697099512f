package dev.swarmkit.manager.allocator;

import dev.swarmkit.api.Network;

/** Which networks the allocator handles. */
public final class Networks {

  /** Label of the networks the engine predefines (host, bridge, ...): nothing to allocate for them. */
  public static final String PREDEFINED_LABEL = "com.docker.swarm.predefined";

  private Networks() {}

  /** The routing-mesh network: {@code spec.ingress}, or older versions' internal label and name. */
  public static boolean isIngress(Network network) {
    if (network.getSpec().getIngress()) {
      return true;
    }
    return network.getSpec().getAnnotations().getLabelsMap().containsKey("com.docker.swarm.internal")
        && network.getSpec().getAnnotations().getName().equals("ingress");
  }

  static boolean isAllocatable(Network network) {
    return !"true".equals(network.getSpec().getAnnotations().getLabelsMap().get(PREDEFINED_LABEL));
  }
}
