package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.identity.Identity;

/**
 * Networks a fresh swarm starts with. Services publishing ports in ingress mode (the default) are
 * refused until an ingress network exists, so the first leader creates this one with the cluster
 * object, as upstream's manager does.
 */
public final class DefaultNetworks {

  private DefaultNetworks() {}

  /** The routing-mesh network "ingress", with default driver and IPAM settings. */
  public static Network ingress() {
    return Network.newBuilder()
        .setId(Identity.newId())
        .setSpec(NetworkSpec.newBuilder()
            .setIngress(true)
            .setAnnotations(Annotations.newBuilder().setName("ingress"))
            .setDriverConfig(Driver.getDefaultInstance())
            .setIpam(IPAMOptions.newBuilder().setDriver(Driver.getDefaultInstance())))
        .build();
  }
}
