package dev.swarmkit.manager.allocator;

import java.util.BitSet;

/**
 * The published ports of one protocol (upstream portallocator's portSpace): a master space holding
 * every port taken, explicit or dynamic, and the dynamic range 30000-32767 from which unset
 * published ports are drawn, in order after the last one handed out (upstream's serial IDM).
 */
final class PortSpace {

  static final int DYNAMIC_START = 30000;
  static final int DYNAMIC_END = 32767;
  static final int MASTER_END = 65535;

  private final BitSet master = new BitSet(MASTER_END + 1);
  private int nextDynamic = DYNAMIC_START;

  /** Takes {@code port}; fails if it is taken or out of range. */
  void take(int port) throws AllocationException {
    if (port < 1 || port > MASTER_END) {
      throw new AllocationException("published port " + port + " is out of range 1-" + MASTER_END);
    }
    if (master.get(port)) {
      throw new AllocationException("port '" + port + "' is already in use");
    }
    master.set(port);
  }

  /** Takes the next free port of the dynamic range. */
  int takeDynamic() throws AllocationException {
    int span = DYNAMIC_END - DYNAMIC_START + 1;
    for (int i = 0; i < span; i++) {
      int port = DYNAMIC_START + (nextDynamic - DYNAMIC_START + i) % span;
      if (!master.get(port)) {
        master.set(port);
        nextDynamic = port == DYNAMIC_END ? DYNAMIC_START : port + 1;
        return port;
      }
    }
    throw new AllocationException("no free port in the dynamic range " + DYNAMIC_START + "-" + DYNAMIC_END);
  }

  void release(int port) {
    if (port >= 1 && port <= MASTER_END) {
      master.clear(port);
    }
  }

  boolean isTaken(int port) {
    return port >= 1 && port <= MASTER_END && master.get(port);
  }
}
