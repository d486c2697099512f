package dev.swarmkit.manager.allocator;

import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the leader's allocator holds in memory (upstream's networkContext with its cnm network
 * allocator): the networks' subnets, each service's published ports and virtual IPs, and each
 * task's addresses. It is rebuilt from the store on every new leader ({@code restore*}) before
 * anything new is allocated, so nothing the store records is handed out twice.
 */
final class Allocations {

  /**
   * The driver the Docker executor materialises every swarm network with: a bridge on each node
   * (see the README: traffic between nodes is not routed).
   */
  static final String DRIVER = "bridge";

  private final Ipam ipam;
  private final PortAllocator ports = new PortAllocator();
  private final Map<String, Endpoint> services = new HashMap<>();
  private final Map<String, List<NetworkAttachment>> tasks = new HashMap<>();

  Allocations(SubnetPool subnets) {
    this.ipam = new Ipam(subnets);
  }

  // ---- networks

  boolean isNetworkAllocated(String networkId) {
    return ipam.isAllocated(networkId);
  }

  /** Allocates (or, with a recorded IPAM state, restores) the network; returns it with its state. */
  Network allocateNetwork(Network n) throws AllocationException {
    IPAMOptions state = ipam.allocate(n);
    return n.toBuilder().setIpam(state).setDriverState(Driver.newBuilder().setName(DRIVER)).build();
  }

  static boolean hasAllocation(Network n) {
    return n.hasIpam() && n.getIpam().getConfigsCount() > 0 && n.hasDriverState();
  }

  void deallocateNetwork(String networkId) {
    ipam.deallocate(networkId);
  }

  // ---- services

  boolean isServiceAllocated(Service s, List<String> vipNetworks, boolean onInit) {
    Endpoint held = services.get(s.getId());
    if (held == null) {
      return !needsEndpoint(s, vipNetworks);
    }
    Service view = s.toBuilder().setEndpoint(held).build();
    if (!ports.isAllocated(view, onInit) || ports.hostPortsNeedUpdate(view)) {
      return false;
    }
    if (!Objects.equals(specOf(s), held.hasSpec() ? held.getSpec() : null)) {
      return false;
    }
    return held.getVirtualIpsList().stream().map(Endpoint.VirtualIP::getNetworkId).toList().equals(vipNetworks);
  }

  /** Whether the service needs any allocation or endpoint state at all. */
  private static boolean needsEndpoint(Service s, List<String> vipNetworks) {
    return s.getSpec().hasEndpoint() || !vipNetworks.isEmpty() || s.hasEndpoint();
  }

  /** The service's endpoint as its recorded state says, taken again (new leader). */
  void restoreService(Service s) throws AllocationException {
    if (!s.hasEndpoint()) {
      return;
    }
    List<PortConfig> taken = new ArrayList<>();
    List<Endpoint.VirtualIP> vips = new ArrayList<>();
    try {
      // Taking the recorded ports as if the spec named them takes exactly those.
      taken = ports.allocate(s.toBuilder().setSpec(s.getSpec().toBuilder()
          .setEndpoint(s.getSpec().getEndpoint().toBuilder().clearPorts().addAllPorts(s.getEndpoint().getPortsList())))
          .clearEndpoint().build());
      for (Endpoint.VirtualIP vip : s.getEndpoint().getVirtualIpsList()) {
        if (!vip.getAddr().isEmpty()) {
          ipam.restoreAddress(vip.getNetworkId(), vip.getAddr());
        }
        vips.add(vip);
      }
      services.put(s.getId(), s.getEndpoint().toBuilder().clearPorts().addAllPorts(taken).build());
    } catch (AllocationException e) {
      ports.deallocate(Service.newBuilder().setEndpoint(Endpoint.newBuilder().addAllPorts(taken)).build());
      vips.forEach(v -> ipam.releaseAddress(v.getNetworkId(), v.getAddr()));
      throw e;
    }
  }

  /**
   * Allocates the service's ports and a virtual IP on each of {@code vipNetworks} (in that order),
   * keeping what it already holds where the spec still wants it; returns the endpoint to record.
   */
  Endpoint allocateService(Service s, List<String> vipNetworks) throws AllocationException {
    Endpoint held = services.getOrDefault(s.getId(), Endpoint.getDefaultInstance());
    List<PortConfig> newPorts = ports.allocate(s.toBuilder().setEndpoint(held).build());
    Map<String, String> oldVips = new LinkedHashMap<>();
    held.getVirtualIpsList().forEach(v -> oldVips.put(v.getNetworkId(), v.getAddr()));
    List<Endpoint.VirtualIP> vips = new ArrayList<>();
    try {
      for (String networkId : vipNetworks) {
        String addr = oldVips.containsKey(networkId) ? oldVips.get(networkId) : ipam.allocateAddress(networkId, "");
        vips.add(Endpoint.VirtualIP.newBuilder().setNetworkId(networkId).setAddr(addr).build());
      }
    } catch (AllocationException e) {
      for (Endpoint.VirtualIP v : vips) {
        if (!oldVips.containsKey(v.getNetworkId())) {
          ipam.releaseAddress(v.getNetworkId(), v.getAddr());
        }
      }
      // The ports were re-taken for the new spec: give them back and keep nothing for this service.
      ports.deallocate(Service.newBuilder().setEndpoint(Endpoint.newBuilder().addAllPorts(newPorts)).build());
      oldVips.forEach(ipam::releaseAddress);
      services.remove(s.getId());
      throw e;
    }
    oldVips.forEach((networkId, addr) -> {
      if (!vipNetworks.contains(networkId)) {
        ipam.releaseAddress(networkId, addr);
      }
    });
    Endpoint.Builder endpoint = Endpoint.newBuilder().addAllPorts(newPorts).addAllVirtualIps(vips);
    if (s.getSpec().hasEndpoint()) {
      endpoint.setSpec(s.getSpec().getEndpoint());
    }
    Endpoint result = endpoint.build();
    services.put(s.getId(), result);
    return result;
  }

  /** The endpoint held for the service; the empty one when it holds none. */
  Endpoint heldEndpoint(String serviceId) {
    return services.getOrDefault(serviceId, Endpoint.getDefaultInstance());
  }

  void deallocateService(String serviceId) {
    Endpoint held = services.remove(serviceId);
    if (held == null) {
      return;
    }
    ports.deallocate(Service.newBuilder().setEndpoint(held).build());
    held.getVirtualIpsList().forEach(v -> ipam.releaseAddress(v.getNetworkId(), v.getAddr()));
  }

  private static Object specOf(Service s) {
    return s.getSpec().hasEndpoint() ? s.getSpec().getEndpoint() : null;
  }

  // ---- tasks

  boolean isTaskAllocated(String taskId) {
    return tasks.containsKey(taskId);
  }

  /** Takes the addresses a task's attachments record (new leader). */
  void restoreTask(String taskId, List<NetworkAttachment> attachments) throws AllocationException {
    List<NetworkAttachment> done = new ArrayList<>();
    try {
      for (NetworkAttachment a : attachments) {
        for (String addr : a.getAddressesList()) {
          ipam.restoreAddress(a.getNetwork().getId(), addr);
        }
        done.add(a);
      }
    } catch (AllocationException e) {
      release(done);
      throw e;
    }
    tasks.put(taskId, List.copyOf(attachments));
  }

  /**
   * Gives each attachment an address on its network: the one its config asks for, else the next free
   * one. Returns the attachments with their addresses; on failure nothing stays taken.
   */
  List<NetworkAttachment> allocateTask(String taskId, List<NetworkAttachment> wanted) throws AllocationException {
    List<NetworkAttachment> done = new ArrayList<>();
    try {
      for (NetworkAttachment a : wanted) {
        String networkId = a.getNetwork().getId();
        NetworkAttachment.Builder b = a.toBuilder().clearAddresses();
        if (a.getAddressesCount() == 0) {
          b.addAddresses(ipam.allocateAddress(networkId, ""));
        } else {
          for (String requested : a.getAddressesList()) {
            b.addAddresses(ipam.allocateAddress(networkId, requested));
          }
        }
        done.add(b.build());
      }
    } catch (AllocationException e) {
      release(done);
      throw e;
    }
    tasks.put(taskId, List.copyOf(done));
    return done;
  }

  void deallocateTask(String taskId) {
    List<NetworkAttachment> held = tasks.remove(taskId);
    if (held != null) {
      release(held);
    }
  }

  private void release(List<NetworkAttachment> attachments) {
    for (NetworkAttachment a : attachments) {
      a.getAddressesList().forEach(addr -> ipam.releaseAddress(a.getNetwork().getId(), addr));
    }
  }
}
