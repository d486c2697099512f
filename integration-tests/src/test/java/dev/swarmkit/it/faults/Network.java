package dev.swarmkit.it.faults;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules every {@link LinkProxy} applies: per directed pair of nodes a link passes, black-holes
 * (bytes are swallowed, connections stay open: a partition as the peers see it) or drops (connections
 * are closed), and may be delayed. A cut is applied to both directions of the connections between
 * the pair.
 */
final class Network {

  enum Mode { PASS, BLACKHOLE, DROP }

  /** Source name of connections whose process could not be identified. */
  static final String UNKNOWN = "?";

  private record Link(String from, String to) {}

  private final Map<Link, Mode> modes = new ConcurrentHashMap<>();
  private final Map<String, Integer> delays = new ConcurrentHashMap<>();
  private final Set<String> isolated = ConcurrentHashMap.newKeySet();

  Mode mode(String from, String to) {
    if (isolated.contains(from) || isolated.contains(to)) {
      return Mode.BLACKHOLE;
    }
    Mode m = modes.get(new Link(from, to));
    if (m == null) {
      m = modes.get(new Link(to, from));
    }
    return m == null ? Mode.PASS : m;
  }

  int delayMillis(String from, String to) {
    return delays.getOrDefault(from, 0) + delays.getOrDefault(to, 0);
  }

  /** Cuts the links between {@code a} and {@code b}, both ways. */
  void cut(String a, String b, Mode mode) {
    modes.put(new Link(a, b), mode);
  }

  /** Black-holes every link of {@code node}, to and from every peer and client. */
  void isolate(String node) {
    isolated.add(node);
  }

  /** Delays every chunk of data to or from {@code node}. */
  void delay(String node, int millis) {
    delays.put(node, millis);
  }

  void heal() {
    modes.clear();
    delays.clear();
    isolated.clear();
  }
}
