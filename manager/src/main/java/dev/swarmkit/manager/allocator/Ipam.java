package dev.swarmkit.manager.allocator;

import dev.swarmkit.api.Driver;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.Network;
import dev.swarmkit.net.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IP address management for the swarm's networks (upstream's default IPAM driver as the network
 * allocator drives it): each network gets its subnets (the spec's IPAM configs, else one subnet of
 * the cluster's default address pool) with a gateway, and hands out addresses from them. Addresses
 * are written in CIDR form ({@code 10.0.0.3/24}), as upstream stores them.
 */
final class Ipam {

  /** Upstream's name of the built-in IPAM driver. */
  static final String DEFAULT_DRIVER = "default";

  private final SubnetPool subnets;
  private final Map<String, List<AddressPool>> networks = new HashMap<>();

  Ipam(SubnetPool subnets) {
    this.subnets = subnets;
  }

  boolean isAllocated(String networkId) {
    return networks.containsKey(networkId);
  }

  /**
   * Allocates the network's subnets and returns its IPAM state. A network that already carries an
   * IPAM state (allocated by an earlier leader) gets exactly that state back.
   */
  IPAMOptions allocate(Network n) throws AllocationException {
    if (isAllocated(n.getId())) {
      return n.getIpam();
    }
    boolean restoring = n.hasIpam() && n.getIpam().getConfigsCount() > 0;
    List<IPAMConfig> configs = restoring ? n.getIpam().getConfigsList() : n.getSpec().getIpam().getConfigsList();
    List<AddressPool> pools = new ArrayList<>();
    List<Cidr> reserved = new ArrayList<>();
    IPAMOptions.Builder state = IPAMOptions.newBuilder()
        .setDriver(n.getSpec().getIpam().hasDriver() && !n.getSpec().getIpam().getDriver().getName().isEmpty()
            ? n.getSpec().getIpam().getDriver() : Driver.newBuilder().setName(DEFAULT_DRIVER).build());
    try {
      if (configs.isEmpty()) {
        Cidr subnet = subnets.allocate();
        reserved.add(subnet);
        AddressPool pool = new AddressPool(subnet, null, null);
        pools.add(pool);
        state.addConfigs(IPAMConfig.newBuilder().setFamily(IPAMConfig.AddressFamily.IPV4)
            .setSubnet(subnet.networkString()).setGateway(pool.gateway()));
      }
      for (IPAMConfig config : configs) {
        Cidr subnet = parse(config.getSubnet(), "subnet");
        subnets.reserve(subnet);
        reserved.add(subnet);
        byte[] gateway = config.getGateway().isEmpty() ? null : address(config.getGateway());
        Cidr range = config.getRange().isEmpty() ? null : parse(config.getRange(), "range");
        AddressPool pool = new AddressPool(Cidr.ipv4(subnet.networkValue(), subnet.prefixLength()), gateway, range);
        for (String ip : config.getReservedMap().values()) {
          pool.take(address(ip));
        }
        pools.add(pool);
        state.addConfigs(config.toBuilder().setFamily(IPAMConfig.AddressFamily.IPV4)
            .setSubnet(subnet.networkString()).setGateway(pool.gateway()));
      }
    } catch (AllocationException e) {
      reserved.forEach(subnets::release);
      throw new AllocationException("network " + n.getSpec().getAnnotations().getName() + ": " + e.getMessage());
    }
    networks.put(n.getId(), pools);
    return state.build();
  }

  void deallocate(String networkId) {
    List<AddressPool> pools = networks.remove(networkId);
    if (pools != null) {
      pools.forEach(p -> subnets.release(p.subnet()));
    }
  }

  /** An address on the network: {@code requested} (an IP, optionally in CIDR form) or the next free one. */
  String allocateAddress(String networkId, String requested) throws AllocationException {
    List<AddressPool> pools = pools(networkId);
    if (!requested.isEmpty()) {
      byte[] ip = address(requested.contains("/") ? requested.substring(0, requested.indexOf('/')) : requested);
      AddressPool pool = poolOf(pools, ip)
          .orElseThrow(() -> new AllocationException(requested + " is in no subnet of network " + networkId));
      pool.take(ip);
      return withPrefix(ip, pool);
    }
    AllocationException last = null;
    for (AddressPool pool : pools) {
      try {
        return withPrefix(pool.allocate(), pool);
      } catch (AllocationException e) {
        last = e;
      }
    }
    throw last != null ? last : new AllocationException("network " + networkId + " has no subnet");
  }

  /** Takes an address an earlier leader allocated (CIDR form). */
  void restoreAddress(String networkId, String cidr) throws AllocationException {
    allocateAddress(networkId, cidr);
  }

  void releaseAddress(String networkId, String cidr) {
    List<AddressPool> pools = networks.get(networkId);
    if (pools == null || cidr.isEmpty()) {
      return;
    }
    String ip = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
    Cidr.parseAddress(ip).ifPresent(bytes -> poolOf(pools, bytes).ifPresent(p -> p.release(bytes)));
  }

  private List<AddressPool> pools(String networkId) throws AllocationException {
    List<AddressPool> pools = networks.get(networkId);
    if (pools == null) {
      throw new AllocationException("network " + networkId + " is not allocated yet");
    }
    return pools;
  }

  private static Optional<AddressPool> poolOf(List<AddressPool> pools, byte[] ip) {
    return pools.stream().filter(p -> p.contains(ip)).findFirst();
  }

  private static String withPrefix(byte[] ip, AddressPool pool) {
    return Cidr.format(ip) + "/" + pool.subnet().prefixLength();
  }

  private static Cidr parse(String text, String what) throws AllocationException {
    Cidr cidr = Cidr.parse(text).orElseThrow(() -> new AllocationException("invalid " + what + " " + text));
    if (!cidr.isIpv4()) {
      throw new AllocationException("IPv6 " + what + " " + text + " is not supported");
    }
    return cidr;
  }

  private static byte[] address(String text) throws AllocationException {
    byte[] ip = Cidr.parseAddress(text).orElseThrow(() -> new AllocationException("invalid address " + text));
    if (ip.length != 4) {
      throw new AllocationException("IPv6 address " + text + " is not supported");
    }
    return ip;
  }
}
