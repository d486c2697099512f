package dev.swarmkit.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The managers this agent may talk to, with weights (upstream's remotes): the dispatcher's manager
 * list replaces the known set, each failure lowers a manager's weight, and selection is weighted
 * random so load spreads while failing managers are mostly avoided.
 */
final class ManagerRemotes {

  static final int DEFAULT_WEIGHT = 10;
  private static final int MIN = -100;
  private static final int MAX = 100;

  private final Supplier<List<String>> configured;
  private final Map<String, Integer> weights = new LinkedHashMap<>();

  ManagerRemotes(Supplier<List<String>> configured) {
    this.configured = configured;
  }

  /** Replaces the known managers with those the dispatcher announced. */
  synchronized void replace(Map<String, Long> announced) {
    if (announced.isEmpty()) {
      return;
    }
    Map<String, Integer> next = new LinkedHashMap<>();
    announced.forEach((addr, w) -> next.put(addr, weights.getOrDefault(addr, clamp(w))));
    weights.clear();
    weights.putAll(next);
  }

  /** Adjusts a manager's weight: positive after success, negative after a failure. */
  synchronized void observe(String address, int weight) {
    int old = weights.getOrDefault(address, DEFAULT_WEIGHT);
    weights.put(address, clamp((long) old + weight));
  }

  /**
   * Picks a manager, preferring higher weights and avoiding {@code avoid} (the one that just failed)
   * when there is another; the configured addresses are always among the candidates.
   */
  synchronized Optional<String> select(String avoid) {
    // Configured addresses stay candidates: a manager's own agent is configured with the live
    // Raft member list, which grows after the first pick.
    for (String a : configured.get()) {
      weights.putIfAbsent(a, DEFAULT_WEIGHT);
    }
    if (weights.isEmpty()) {
      return Optional.empty();
    }
    List<String> addrs = new ArrayList<>(weights.keySet());
    if (avoid != null && addrs.size() > 1) {
      addrs.remove(avoid);
    }
    long total = 0;
    for (String a : addrs) {
      total += weights.get(a) - MIN + 1;
    }
    long pick = ThreadLocalRandom.current().nextLong(total);
    for (String a : addrs) {
      pick -= weights.get(a) - MIN + 1;
      if (pick < 0) {
        return Optional.of(a);
      }
    }
    return Optional.of(addrs.get(addrs.size() - 1));
  }

  synchronized Map<String, Integer> weights() {
    return Map.copyOf(weights);
  }

  private static int clamp(long w) {
    return (int) Math.max(MIN, Math.min(MAX, w));
  }
}
