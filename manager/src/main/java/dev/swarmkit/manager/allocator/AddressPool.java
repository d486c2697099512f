package dev.swarmkit.manager.allocator;

import dev.swarmkit.net.Cidr;
import java.util.BitSet;

/**
 * The addresses of one IPv4 subnet (upstream's default IPAM driver for one pool): the network and
 * broadcast addresses are never handed out, the gateway is taken when the pool is made, and further
 * addresses go out in order after the last one handed out, so a released address is not reused at
 * once.
 */
final class AddressPool {

  private final Cidr subnet;
  private final byte[] gateway;
  private final BitSet used;
  private final long first;
  private final long last;
  private long next;

  /**
   * {@code gateway} null: the first host address. {@code range} null: the whole subnet; else the
   * sub-range addresses are handed out from (explicit addresses may lie anywhere in the subnet).
   */
  AddressPool(Cidr subnet, byte[] gateway, Cidr range) throws AllocationException {
    if (!subnet.isIpv4()) {
      throw new AllocationException("only IPv4 subnets can be allocated: " + subnet);
    }
    if (subnet.prefixLength() > 30) {
      throw new AllocationException("subnet " + subnet.networkString() + " is too small (at most /30)");
    }
    this.subnet = subnet;
    long size = subnet.size();
    this.used = new BitSet((int) Math.min(size, Integer.MAX_VALUE));
    if (range != null) {
      long start = subnet.offsetOf(range.network());
      this.first = Math.max(1, start);
      this.last = Math.min(size - 2, start + range.size() - 1);
    } else {
      this.first = 1;
      this.last = size - 2;
    }
    this.next = first;
    byte[] gw = gateway != null ? gateway : subnet.addressAt(1);
    take(gw);
    this.gateway = gw;
  }

  Cidr subnet() {
    return subnet;
  }

  String gateway() {
    return Cidr.format(gateway);
  }

  boolean contains(byte[] ip) {
    return subnet.contains(ip);
  }

  /** The next free address. */
  byte[] allocate() throws AllocationException {
    long span = last - first + 1;
    for (long i = 0; i < span; i++) {
      long offset = first + (next - first + i) % span;
      if (!used.get((int) offset)) {
        used.set((int) offset);
        next = offset == last ? first : offset + 1;
        return subnet.addressAt(offset);
      }
    }
    throw new AllocationException("no free address in " + subnet.networkString());
  }

  /** Takes exactly {@code ip}; fails if it is outside the subnet's host range or taken. */
  void take(byte[] ip) throws AllocationException {
    if (!subnet.contains(ip)) {
      throw new AllocationException(Cidr.format(ip) + " is not in " + subnet.networkString());
    }
    long offset = subnet.offsetOf(ip);
    if (offset < 1 || offset > subnet.size() - 2) {
      throw new AllocationException(Cidr.format(ip) + " is not a host address of " + subnet.networkString());
    }
    if (used.get((int) offset)) {
      throw new AllocationException("address " + Cidr.format(ip) + " is already in use");
    }
    used.set((int) offset);
  }

  void release(byte[] ip) {
    if (subnet.contains(ip) && !java.util.Arrays.equals(ip, gateway)) {
      used.clear((int) subnet.offsetOf(ip));
    }
  }

  /** Addresses in use, the gateway included. */
  int inUse() {
    return used.cardinality();
  }
}
