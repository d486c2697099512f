package dev.swarmkit.manager.allocator;

import dev.swarmkit.net.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's default address pool (upstream: {@code Cluster.default_address_pool}, default
 * {@code 10.0.0.0/8}, cut into {@code subnet_size} subnets, default /24): hands a subnet to each
 * network whose spec names none, skipping every subnet in use, whether taken from the pool or named
 * explicitly by a network.
 */
final class SubnetPool {

  static final List<String> DEFAULT_POOL = List.of("10.0.0.0/8");
  static final int DEFAULT_SUBNET_SIZE = 24;

  private final List<Cidr> pools;
  private final int subnetSize;
  private final List<Cidr> inUse = new ArrayList<>();

  SubnetPool(List<String> pools, int subnetSize) {
    List<Cidr> parsed = new ArrayList<>();
    for (String p : pools.isEmpty() ? DEFAULT_POOL : pools) {
      Cidr.parse(p).filter(Cidr::isIpv4).ifPresent(parsed::add);
    }
    this.pools = parsed.isEmpty() ? List.of(Cidr.parse(DEFAULT_POOL.get(0)).orElseThrow()) : parsed;
    this.subnetSize = subnetSize == 0 ? DEFAULT_SUBNET_SIZE : subnetSize;
  }

  /** Marks a subnet as used; fails if it overlaps one in use. */
  void reserve(Cidr subnet) throws AllocationException {
    for (Cidr used : inUse) {
      if (used.overlaps(subnet)) {
        throw new AllocationException("subnet " + subnet.networkString() + " overlaps "
            + used.networkString() + ", which is already in use");
      }
    }
    inUse.add(Cidr.ipv4(subnet.networkValue(), subnet.prefixLength()));
  }

  /** The first free subnet of the pools. */
  Cidr allocate() throws AllocationException {
    for (Cidr pool : pools) {
      int size = Math.max(subnetSize, pool.prefixLength());
      long step = 1L << (32 - size);
      for (long net = pool.networkValue(); net < pool.networkValue() + pool.size(); net += step) {
        Cidr candidate = Cidr.ipv4(net, size);
        if (inUse.stream().noneMatch(candidate::overlaps)) {
          inUse.add(candidate);
          return candidate;
        }
      }
    }
    throw new AllocationException("the default address pool is exhausted");
  }

  void release(Cidr subnet) {
    inUse.removeIf(c -> c.networkValue() == subnet.networkValue() && c.prefixLength() == subnet.prefixLength());
  }
}
