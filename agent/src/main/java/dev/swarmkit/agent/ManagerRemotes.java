package dev.swarmkit.agent;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managers this agent may talk to, with weights (upstream's remotes): the dispatcher's manager
 * list replaces the known set, each failure lowers a manager's weight, and selection is weighted
 * random so load spreads while failing managers are mostly avoided. As upstream's persistentRemotes,
 * the known managers are kept in {@code <state-dir>/state.json} (upstream's format: a JSON array of
 * peers) so a node restarted with only its state dir reconnects to the managers it last knew.
 */
final class ManagerRemotes {

  private static final Logger log = LoggerFactory.getLogger(ManagerRemotes.class);
  static final String STATE_FILE = "state.json";

  static final int DEFAULT_WEIGHT = 10;
  private static final int MIN = -100;
  private static final int MAX = 100;

  private final Supplier<List<String>> configured;
  private final Map<String, Integer> weights = new LinkedHashMap<>();
  private final Path stateFile;
  private List<String> lastSaved = List.of();

  ManagerRemotes(Supplier<List<String>> configured) {
    this(configured, null);
  }

  /**
   * @param stateFile where the known managers are persisted, or null; read at start unless addresses
   *     are configured (a join address replaces what was remembered, as upstream)
   */
  ManagerRemotes(Supplier<List<String>> configured, Path stateFile) {
    this.configured = configured;
    this.stateFile = stateFile;
    if (stateFile != null && configured.get().isEmpty()) {
      for (String addr : load(stateFile)) {
        weights.put(addr, DEFAULT_WEIGHT);
      }
      lastSaved = sortedAddresses();
    }
  }

  /** The addresses persisted in {@code stateFile}; none if it is missing or unreadable. */
  static List<String> load(Path stateFile) {
    if (!Files.exists(stateFile)) {
      return List.of();
    }
    try {
      JsonElement root = JsonParser.parseString(Files.readString(stateFile, StandardCharsets.UTF_8));
      List<String> out = new ArrayList<>();
      if (root.isJsonArray()) {
        for (JsonElement e : root.getAsJsonArray()) {
          if (e.isJsonObject() && e.getAsJsonObject().has("Addr")) {
            String addr = e.getAsJsonObject().get("Addr").getAsString();
            if (!addr.isEmpty()) {
              out.add(addr);
            }
          }
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring unreadable {}: {}", stateFile, e.toString());
      return List.of();
    }
  }

  private List<String> sortedAddresses() {
    return weights.keySet().stream().sorted().toList();
  }

  /** Writes the known managers if they changed (atomically: a crash leaves the old or the new file). */
  private void save() {
    List<String> now = sortedAddresses();
    if (stateFile == null || now.isEmpty() || now.equals(lastSaved)) {
      return;
    }
    JsonArray peers = new JsonArray();
    for (String addr : now) {
      JsonObject peer = new JsonObject();
      peer.addProperty("NodeID", "");
      peer.addProperty("Addr", addr);
      peers.add(peer);
    }
    Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, peers.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      lastSaved = now;
    } catch (IOException e) {
      log.warn("could not save the known managers to {}: {}", stateFile, e.toString());
    }
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
    save();
  }

  /** Adjusts a manager's weight: positive after success, negative after a failure. */
  synchronized void observe(String address, int weight) {
    if (address == null || address.isEmpty()) {
      return;
    }
    int old = weights.getOrDefault(address, DEFAULT_WEIGHT);
    weights.put(address, clamp((long) old + weight));
    save();
  }

  /**
   * Picks a manager, preferring higher weights and avoiding {@code avoid} (the one that just failed)
   * when there is another; the configured addresses are always among the candidates.
   */
  synchronized Optional<String> select(String avoid) {
    // Configured addresses stay candidates: a manager's own agent is configured with the live
    // Raft member list, which grows after the first pick.
    for (String a : configured.get()) {
      if (!a.isEmpty()) {
        weights.putIfAbsent(a, DEFAULT_WEIGHT);
      }
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
